import type { LogOffsets } from './client-port.js'
import { commitOffsetFromNumber } from './offset.js'
import type { TopicPartition } from './topic-partition.js'

/**
 * The slice of a librdkafka-based consumer (node-rdkafka's KafkaConsumer, and the internal
 * client of @confluentinc/kafka-javascript, which forked from it) that tells where a partition
 * ends and where this group starts reading it.
 */
export interface RdkafkaOffsetQueries {
  /** Asks the broker for a partition's low and high watermarks (`timeout` in ms). */
  queryWatermarkOffsets(topic: string, partition: number, timeout: number, cb: (error: unknown, offsets: { highOffset: number; lowOffset: number }) => void): unknown
  /** Asks the group coordinator for the group's committed offsets (`timeout` in ms). */
  committed(partitions: TopicPartition[], timeout: number, cb: (error: unknown, partitions: Array<{ topic: string; partition: number; offset?: number }>) => void): unknown
}

/** The slice of a librdkafka-based consumer that lists a cluster's topics and their partitions. */
export interface RdkafkaMetadataQuery {
  /** Asks a broker for the cluster's metadata (every topic; `timeout` in ms). */
  getMetadata(options: { timeout: number }, cb: (error: unknown, metadata: { topics: Array<{ name: string; partitions: Array<{ id: number }> }> }) => void): unknown
}

/** librdkafka's names for "start at the beginning" in `auto.offset.reset`. */
const EARLIEST = new Set(['earliest', 'smallest', 'beginning'])

/**
 * `ClientPort.queryEndOffsets` for librdkafka clients: the log end, and where this consumer
 * starts (the group's committed offset, else where `autoOffsetReset` puts it: librdkafka's
 * default is latest). Two broker round trips, asked only for silent partitions. The log end comes
 * from each partition's leader; the committed offsets from the group coordinator. When the
 * coordinator does not answer (a consumer stuck "waiting for coordinator" is exactly one that
 * the starvation check must catch), the ends are still returned, without `start`.
 */
export async function queryRdkafkaLogOffsets(
  client: RdkafkaOffsetQueries,
  partitions: readonly TopicPartition[],
  autoOffsetReset: unknown,
  timeoutMs = 5_000,
): Promise<LogOffsets[]> {
  const committed = await new Promise<Array<{ topic: string; partition: number; offset?: number }> | undefined>((resolve) => {
    client.committed(partitions.map(({ topic, partition }) => ({ topic, partition })), timeoutMs, (error, rows) => resolve(error ? undefined : rows))
  })
  const earliest = typeof autoOffsetReset === 'string' && EARLIEST.has(autoOffsetReset)
  return Promise.all(
    partitions.map(async ({ topic, partition }) => {
      const { highOffset, lowOffset } = await new Promise<{ highOffset: number; lowOffset: number }>((resolve, reject) => {
        client.queryWatermarkOffsets(topic, partition, timeoutMs, (error, offsets) => (error ? reject(error) : resolve(offsets)))
      })
      const end = commitOffsetFromNumber(highOffset)
      if (committed === undefined) return { topic, partition, end }
      const row = committed.find((c) => c.topic === topic && c.partition === partition)
      // A negative offset is librdkafka's "none" (OFFSET_INVALID = -1001).
      const start = typeof row?.offset === 'number' && row.offset >= 0 ? row.offset : earliest ? lowOffset : highOffset
      return { topic, partition, end, start: commitOffsetFromNumber(start) }
    }),
  )
}

/**
 * `ClientPort.queryGroupOffsets` for librdkafka clients: every partition of `topics`, from the
 * cluster's metadata, with its log end and the group's committed offset (see
 * {@link queryRdkafkaLogOffsets}). One metadata request, one offset fetch from the coordinator,
 * one watermark request per partition.
 */
export async function queryRdkafkaGroupOffsets(
  client: RdkafkaOffsetQueries & RdkafkaMetadataQuery,
  topics: readonly string[],
  autoOffsetReset: unknown,
  timeoutMs = 5_000,
): Promise<LogOffsets[]> {
  if (topics.length === 0) return []
  const metadata = await new Promise<{ topics: Array<{ name: string; partitions: Array<{ id: number }> }> }>((resolve, reject) => {
    client.getMetadata({ timeout: timeoutMs }, (error, result) => (error ? reject(error) : resolve(result)))
  })
  const wanted = new Set(topics)
  const partitions: TopicPartition[] = []
  for (const topic of metadata.topics) {
    if (!wanted.has(topic.name)) continue
    for (const { id } of topic.partitions) partitions.push({ topic: topic.name, partition: id })
  }
  return partitions.length === 0 ? [] : queryRdkafkaLogOffsets(client, partitions, autoOffsetReset, timeoutMs)
}
