import { waitFor } from '@offsetkit/broker'
import { Kafka, logLevel, type Admin } from 'kafkajs'

/**
 * The runner's independent view of the broker (kafkajs admin, whatever client is under test):
 * topics, log-end offsets, the group's committed offsets, and where the group coordinator lives.
 */
export class ValidationAdmin {
  readonly kafka: Kafka
  private admin: Admin | undefined

  constructor(bootstrapServers: string) {
    this.kafka = new Kafka({
      brokers: bootstrapServers.split(','),
      clientId: 'offsetkit-validation',
      logLevel: logLevel.NOTHING,
      requestTimeout: 5000,
      connectionTimeout: 3000,
      retry: { retries: 3, maxRetryTime: 2000 },
    })
  }

  private async get(): Promise<Admin> {
    if (this.admin === undefined) {
      const admin = this.kafka.admin()
      await admin.connect()
      this.admin = admin
    }
    return this.admin
  }

  /** Creates the topic and waits until every partition has a leader that answers. */
  async createTopic(topic: string, partitions: number, nodes: number): Promise<void> {
    // Right after a broker restart the first attempts can fail on stale metadata; a retry may find
    // the topic already created.
    await waitFor(async () => {
      await this.createOnce(topic, partitions, nodes).catch((error: unknown) => {
        if (!/already exists/i.test(String(error))) throw error
      })
      const ends = await this.endOffsets(topic, partitions)
      return ends.length === partitions
    }, { what: `topic ${topic} created with leaders`, timeoutMs: 90_000, intervalMs: 500 })
  }

  private async createOnce(topic: string, partitions: number, nodes: number): Promise<void> {
    await (await this.get()).createTopics({
      waitForLeaders: true,
      topics: [{
        topic,
        numPartitions: partitions,
        replicationFactor: nodes,
        configEntries: [{ name: 'min.insync.replicas', value: nodes > 1 ? '2' : '1' }],
      }],
    })
  }

  async deleteTopic(topic: string): Promise<void> {
    await (await this.get()).deleteTopics({ topics: [topic] })
  }

  async endOffsets(topic: string, partitions: number): Promise<number[]> {
    const rows = await (await this.get()).fetchTopicOffsets(topic)
    const ends = Array.from({ length: partitions }, () => 0)
    for (const row of rows) ends[row.partition] = Number(row.high)
    return ends
  }

  /** Committed offsets per partition; `undefined` where the group committed nothing. */
  async committed(group: string, topic: string, partitions: number): Promise<(number | undefined)[]> {
    const [row] = await (await this.get()).fetchOffsets({ groupId: group, topics: [topic] })
    const committed: (number | undefined)[] = Array.from({ length: partitions }, () => undefined)
    for (const p of row?.partitions ?? []) committed[p.partition] = p.offset === '-1' ? undefined : Number(p.offset)
    return committed
  }

  /** Every partition of `topics` has all `nodes` replicas in sync (a restarted broker caught up). */
  async fullyReplicated(topics: readonly string[], nodes: number): Promise<boolean> {
    const metadata = await (await this.get()).fetchTopicMetadata({ topics: [...topics] })
    return metadata.topics.every((t) => t.partitions.every((p) => p.leader >= 0 && p.isr.length >= nodes))
  }

  /** The group coordinator's node: `offsets.topic.num.partitions=1`, so the leader of `__consumer_offsets`-0. */
  async coordinatorNodeId(): Promise<number> {
    const metadata = await (await this.get()).fetchTopicMetadata({ topics: ['__consumer_offsets'] })
    const leader = metadata.topics[0]?.partitions.find((p) => p.partitionId === 0)?.leader
    if (leader === undefined || leader < 0) throw new Error('__consumer_offsets has no leader')
    return leader
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined)
    this.admin = undefined
  }
}
