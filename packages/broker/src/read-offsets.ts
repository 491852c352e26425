/**
 * The slice of a kafkajs `Admin` (connected) that offset reads use. Declared here so the broker
 * package needs no kafkajs at runtime: the conformance harness and the bench pass their own admin.
 */
export interface OffsetsAdmin {
  /** Each partition of `topic` with its log-end offset (`high`) as a decimal string. */
  fetchTopicOffsets(topic: string): Promise<ReadonlyArray<{
    /** Partition number. */
    partition: number
    /** Its log-end offset, in decimal. */
    high: string
  }>>
  /** The group's committed offsets per topic (kafkajs reports `-1` for none). */
  fetchOffsets(options: { groupId: string; topics: string[] }): Promise<ReadonlyArray<{
    /** One entry per partition of the topic. */
    partitions: ReadonlyArray<{
      /** Partition number. */
      partition: number
      /** Committed offset, in decimal. */
      offset: string
    }>
  }>>
}

/** Log-end offset per partition of `topic`. */
export async function readEndOffsets(admin: OffsetsAdmin, topic: string): Promise<Map<number, bigint>> {
  const rows = await admin.fetchTopicOffsets(topic)
  return new Map(rows.map((r) => [r.partition, BigInt(r.high)]))
}

/**
 * The group's committed offsets for `topic`, read back from the broker (a commit offset: the next
 * record to read). `undefined` where the group has committed nothing (the broker answers -1).
 */
export async function readCommittedOffsets(admin: OffsetsAdmin, groupId: string, topic: string): Promise<Map<number, bigint | undefined>> {
  const [row] = await admin.fetchOffsets({ groupId, topics: [topic] })
  return new Map((row?.partitions ?? []).map((p) => [p.partition, p.offset === '-1' ? undefined : BigInt(p.offset)]))
}
