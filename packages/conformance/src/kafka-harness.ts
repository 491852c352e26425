import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs'
import { RdKafka } from '@confluentinc/kafka-javascript'
import { randomBytes } from 'node:crypto'
import { readCommittedOffsets, readEndOffsets, waitFor } from '@offsetkit/broker'

/** How long the read_committed reader's disconnect may take before the harness goes on without it. */
const READER_DISCONNECT_MS = 10_000

export interface TopicSpec {
  partitions?: number
  /** Topic-level configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  configs?: Record<string, string>
  prefix?: string
}

export interface ProducedRecord {
  key?: string | null
  value: string
  partition?: number
  headers?: Record<string, string>
}

export interface HarnessRecord {
  partition: number
  offset: bigint
  key: string | null
  value: string | null
  headers: Record<string, string>
}

/** Offsets per partition; `undefined` when the group has committed nothing for that partition. */
export type OffsetsByPartition = Map<number, bigint | undefined>

/**
 * The suite's independent view of the broker: topics, producing, and reading committed offsets
 * BACK FROM THE BROKER through an admin API — never from the adapter's own events. It uses
 * kafkajs regardless of the client under test, so the verifier is never the thing verified; only
 * {@link KafkaHarness.readCommitted} reads through librdkafka (kafkajs's read_committed filter
 * has a defect, described there).
 */
export class KafkaHarness {
  private readonly kafka: Kafka
  private admin: Admin | undefined
  private producer: Producer | undefined
  private readonly topics: string[] = []

  constructor(readonly bootstrapServers: string) {
    this.kafka = new Kafka({ brokers: bootstrapServers.split(','), clientId: 'offsetkit-conformance', logLevel: logLevel.NOTHING })
  }

  private async getAdmin(): Promise<Admin> {
    if (!this.admin) {
      this.admin = this.kafka.admin()
      await this.admin.connect()
    }
    return this.admin
  }

  private async getProducer(): Promise<Producer> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false })
      await this.producer.connect()
    }
    return this.producer
  }

  name(prefix: string): string {
    return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
  }

  async createTopic({ partitions = 1, configs = {}, prefix = 'conformance' }: TopicSpec = {}): Promise<string> {
    const topic = this.name(prefix)
    const admin = await this.getAdmin()
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
      })
    } catch (error) {
      // kafkajs' waitForLeaders fails at once when a broker answers before the topic's metadata
      // reached it ("This server does not host this topic-partition"): the topic exists; wait below.
      if ((error as { type?: unknown }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error
    }
    this.topics.push(topic)
    await waitFor(async () => {
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics
      return metadata !== undefined && metadata.partitions.length === partitions && metadata.partitions.every((p) => p.leader >= 0)
    }, { what: `leaders for every partition of ${topic}`, timeoutMs: 30_000, intervalMs: 100 })
    return topic
  }

  async produce(topic: string, records: readonly ProducedRecord[]): Promise<void> {
    const producer = await this.getProducer()
    for (let i = 0; i < records.length; i += 500) {
      await producer.send({
        topic,
        acks: -1,
        messages: records.slice(i, i + 500).map((r) => ({
          key: r.key ?? null,
          value: r.value,
          ...(r.partition === undefined ? {} : { partition: r.partition }),
          ...(r.headers === undefined ? {} : { headers: r.headers }),
        })),
      })
    }
  }

  /** `count` records spread round-robin over `partitions` partitions, values `"<n>"`. */
  async produceCount(topic: string, count: number, partitions = 1): Promise<void> {
    await this.produce(topic, Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: String(i), partition: i % partitions })))
  }

  /**
   * Writes `batches` through a transactional producer; every batch whose index is in `abort` is
   * aborted. Leaves commit/abort markers (and aborted records) as offset gaps consumers never see.
   * Records need an explicit partition; it returns once every marker is in the log.
   */
  async produceTransactional(topic: string, batches: readonly (readonly ProducedRecord[])[], abort: ReadonlySet<number>): Promise<void> {
    const before = await this.endOffsets(topic)
    // Offsets each partition will hold: its records plus one marker per transaction touching it.
    const growth = new Map<number, bigint>()
    for (const batch of batches) {
      const touched = new Set<number>()
      for (const { partition } of batch) {
        if (partition === undefined) throw new Error('produceTransactional needs an explicit partition per record')
        growth.set(partition, (growth.get(partition) ?? 0n) + 1n)
        touched.add(partition)
      }
      for (const partition of touched) growth.set(partition, (growth.get(partition) ?? 0n) + 1n)
    }
    const producer = this.kafka.producer({ transactionalId: this.name('conformance-tx'), idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    try {
      for (const [index, batch] of batches.entries()) {
        const txn = await producer.transaction()
        await txn.send({ topic, messages: batch.map((r) => ({ key: r.key ?? null, value: r.value, ...(r.partition === undefined ? {} : { partition: r.partition }) })) })
        if (abort.has(index)) await txn.abort()
        else await txn.commit()
      }
    } finally {
      await producer.disconnect()
    }
    // The coordinator writes the last commit/abort marker after commit() returns; until then a
    // reader's end offset stops at the open transaction. Return only once every marker is there.
    await waitFor(async () => {
      const now = await this.endOffsets(topic)
      return [...growth].every(([partition, n]) => (now.get(partition) ?? 0n) >= (before.get(partition) ?? 0n) + n)
    }, { what: `every transaction marker of ${topic} written` })
  }

  /**
   * Aborted transactions of several producers that overlap in partition 0 — what a crashed
   * consume-transform-produce app with one producer per input partition leaves behind. Producer B
   * opens a transaction, A opens one and aborts it, C commits one, B aborts, C commits another:
   * values `b1`, `a1`, `b2` are aborted, `c1`, `c2` committed. Returns once every marker is in the
   * log; the log then holds 5 records and 4 markers (end offset 9).
   */
  async produceInterleavedAborts(topic: string): Promise<void> {
    const producers = await Promise.all(['a', 'b', 'c'].map(async (id) => {
      const producer = this.kafka.producer({ transactionalId: this.name(`conformance-tx-${id}`), idempotent: true, maxInFlightRequests: 1 })
      await producer.connect()
      return producer
    }))
    const [a, b, c] = producers as [Producer, Producer, Producer]
    const one = (value: string) => ({ topic, messages: [{ value, partition: 0 }] })
    try {
      const tb = await b.transaction()
      await tb.send(one('b1'))
      const ta = await a.transaction()
      await ta.send(one('a1'))
      await ta.abort()
      const tc = await c.transaction()
      await tc.send(one('c1'))
      await tc.commit()
      await tb.send(one('b2'))
      await tb.abort()
      const tc2 = await c.transaction()
      await tc2.send(one('c2'))
      await tc2.commit()
    } finally {
      await Promise.all(producers.map((p) => p.disconnect()))
    }
    await waitFor(async () => ((await this.endOffsets(topic)).get(0) ?? 0n) >= 9n, { what: `every transaction marker of ${topic} written` })
  }

  /** Whether the broker knows the topic (read from its metadata). */
  async topicExists(topic: string): Promise<boolean> {
    const admin = await this.getAdmin()
    return (await admin.listTopics()).includes(topic)
  }

  /** Log-end offset per partition. */
  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    return readEndOffsets(await this.getAdmin(), topic)
  }

  /** The group's committed offsets for `topic`, read from the broker. */
  async committedOffsets(groupId: string, topic: string): Promise<OffsetsByPartition> {
    // On a fresh broker the group coordinator may still be loading: a retriable answer is asked again.
    const deadline = Date.now() + 30_000
    for (;;) {
      try {
        return await readCommittedOffsets(await this.getAdmin(), groupId, topic)
      } catch (error) {
        if ((error as { retriable?: unknown }).retriable !== true || Date.now() > deadline) throw error
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }

  /** Committed offsets including metadata strings. */
  async committedWithMetadata(groupId: string, topic: string): Promise<Map<number, { offset: bigint | undefined; metadata: string | null }>> {
    const [row] = await (await this.getAdmin()).fetchOffsets({ groupId, topics: [topic] })
    return new Map((row?.partitions ?? []).map((p) => [p.partition, { offset: p.offset === '-1' ? undefined : BigInt(p.offset), metadata: p.metadata }]))
  }

  /**
   * Every record of a (non-transactional) topic, read with a throwaway group up to each partition's
   * current end. The record at end-1 always survives compaction, so seeing it means "read to the end".
   */
  async readToEnd(topic: string, timeoutMs = 60_000): Promise<HarnessRecord[]> {
    const ends = await this.endOffsets(topic)
    const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p))
    const rows: HarnessRecord[] = []
    if (pending.size === 0) return rows
    const consumer = this.kafka.consumer({ groupId: this.name('conformance-reader') })
    await consumer.connect()
    try {
      await consumer.subscribe({ topic, fromBeginning: true })
      let done!: () => void
      const finished = new Promise<void>((resolve) => { done = resolve })
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(Array.isArray(v) ? v[0] : v)
          const offset = BigInt(message.offset)
          rows.push({ partition, offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers })
          if (offset + 1n >= (ends.get(partition) ?? 0n)) pending.delete(partition)
          if (pending.size === 0) done()
        },
      })
      let timer: NodeJS.Timeout | undefined
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`readToEnd(${topic}) did not reach the end in ${timeoutMs} ms`)), timeoutMs)
      })
      await Promise.race([finished, expired]).finally(() => clearTimeout(timer))
      return rows
    } finally {
      await consumer.disconnect()
    }
  }

  /**
   * Records of a topic written by transactional producers, as a `read_committed` reader sees them:
   * aborted records never, commit markers never. Read from offset 0 of every partition until the
   * reader's position reached each partition's end offset, so nothing written is left unread (a
   * transaction still open keeps the position short of the end, and this times out saying so).
   *
   * The reader is librdkafka (through `@confluentinc/kafka-javascript`), not kafkajs: kafkajs 2.2.4
   * delivers records of an aborted transaction to a read_committed consumer when aborted
   * transactions of several producers interleave in one fetch (it walks the broker's aborted list,
   * which is in abort-marker order, as if it were in first-offset order), which is exactly what a
   * crashed transactional consumer with one producer per input partition leaves in an output topic.
   */
  async readCommitted(topic: string, { timeoutMs = 60_000 } = {}): Promise<HarnessRecord[]> {
    const ends = await this.endOffsets(topic)
    const reader = new RdKafka.KafkaConsumer(
      {
        'metadata.broker.list': this.bootstrapServers,
        'group.id': this.name('conformance-committed-reader'),
        'isolation.level': 'read_committed',
        'enable.auto.commit': false,
        'log_level': 0,
      },
      { 'auto.offset.reset': 'earliest' },
    )
    await new Promise<void>((resolve, reject) => { reader.connect({}, (error) => (error ? reject(new Error(error.message)) : resolve())) })
    const rows: HarnessRecord[] = []
    try {
      reader.assign([...ends.keys()].map((partition) => ({ topic, partition, offset: 0 })))
      const atEnd = (): boolean => reader.position([...ends.keys()].map((partition) => ({ topic, partition })))
        .every(({ partition, offset }) => (ends.get(partition) ?? 0n) === 0n || (offset !== undefined && offset >= 0 && BigInt(offset) >= (ends.get(partition) ?? 0n)))
      await waitFor(() => new Promise<boolean>((resolve) => {
        reader.consume(500, (error, messages) => {
          if (!error) {
            for (const m of messages) {
              const headers: Record<string, string> = {}
              for (const header of m.headers ?? []) for (const [k, v] of Object.entries(header)) headers[k] = String(v)
              rows.push({ partition: m.partition, offset: BigInt(m.offset), key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, headers })
            }
          }
          resolve(atEnd())
        })
      }), { what: `a read_committed reader at the end offsets of ${topic}`, timeoutMs, intervalMs: 0 }).catch((error: Error) => {
        throw new Error(`${error.message}; read ${rows.length} records`)
      })
      return rows
    } finally {
      // Bounded: a disconnect that never calls back must not hang the scenario (the reader is
      // only a witness; what it read is already returned or thrown).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, READER_DISCONNECT_MS)
        reader.disconnect(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect()
    if (this.admin) {
      await this.admin.deleteTopics({ topics: this.topics }).catch(() => undefined)
      await this.admin.disconnect()
    }
  }
}
