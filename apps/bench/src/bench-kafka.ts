import { readCommittedOffsets, readEndOffsets } from '@offsetkit/broker'
import { Kafka, logLevel, type Admin, type Message } from 'kafkajs'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { UsageError } from './usage-error.js'

export interface ProduceSpec {
  readonly partitions: number
  readonly messages: number
  readonly size: number
  readonly transactional: boolean
}

export interface OffsetCheck {
  readonly ok: boolean
  /** Partition → committed/end, for the failure reason. */
  readonly detail: string
}

const SEND_BATCH = 1000
const IN_FLIGHT = 4

/**
 * The bench's neutral view of the broker: creating and filling topics before measuring, and
 * reading committed offsets back through kafkajs' admin API, whatever client was measured.
 */
export class BenchKafka {
  private readonly kafka: Kafka
  private admin: Admin | undefined

  constructor(readonly brokers: string) {
    this.kafka = new Kafka({ brokers: brokers.split(','), clientId: 'offsetkit-bench-admin', logLevel: logLevel.NOTHING })
  }

  private async getAdmin(): Promise<Admin> {
    if (this.admin === undefined) {
      const admin = this.kafka.admin()
      await admin.connect()
      this.admin = admin
    }
    return this.admin
  }

  /** Creates `topic` (it must not exist) and writes `messages` records round-robin over its partitions. */
  async produceTopic(topic: string, spec: ProduceSpec, onProgress?: (sent: number) => void): Promise<void> {
    const admin = await this.getAdmin()
    const created = await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: spec.partitions, replicationFactor: 1 }] })
    if (!created) throw new UsageError('--topic', `--topic: ${topic} already exists; produce writes to a new topic so counts stay exact`)
    const value = randomBytes(spec.size)
    const batch = (from: number): Message[] =>
      Array.from({ length: Math.min(SEND_BATCH, spec.messages - from) }, (_, k) => {
        const i = from + k
        return { key: `k${i % 1024}`, value, partition: i % spec.partitions }
      })
    let sent = 0
    if (spec.transactional) {
      const producer = this.kafka.producer({ transactionalId: `offsetkit-bench-${topic}`, idempotent: true, maxInFlightRequests: 1 })
      await producer.connect()
      try {
        for (let from = 0; from < spec.messages; from += SEND_BATCH) {
          const txn = await producer.transaction()
          await txn.send({ topic, messages: batch(from) })
          await txn.commit()
          sent = Math.min(spec.messages, from + SEND_BATCH)
          onProgress?.(sent)
        }
      } finally {
        await producer.disconnect()
      }
      return
    }
    const producer = this.kafka.producer({ allowAutoTopicCreation: false })
    await producer.connect()
    try {
      let nextFrom = 0
      const worker = async (): Promise<void> => {
        while (nextFrom < spec.messages) {
          const from = nextFrom
          nextFrom += SEND_BATCH
          const messages = batch(from)
          await producer.send({ topic, acks: -1, messages })
          sent += messages.length
          onProgress?.(sent)
        }
      }
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    } finally {
      await producer.disconnect()
    }
  }

  /** Creates an empty topic (e.g. a transactional run's output); false when it already existed. */
  async createTopic(topic: string, partitions: number): Promise<boolean> {
    return (await this.getAdmin()).createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] })
  }

  /**
   * Reads `topic` from the beginning with isolation read_committed (kafkajs' default), counting
   * records and distinct keys (the transactional arms key each output by its input's
   * `partition:offset`). Stops once `expected` records came and then none for a while, or when
   * nothing more comes at all.
   */
  async readCommitted(topic: string, expected: number): Promise<{ records: number; distinctInputs: number }> {
    const groupId = `offsetkit-bench-verify-${randomBytes(4).toString('hex')}`
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100, readUncommitted: false })
    const keys = new Set<string>()
    let records = 0
    let last = Date.now()
    await consumer.connect()
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            records++
            keys.add(message.key?.toString() ?? '')
          }
          last = Date.now()
        },
      })
      // Extras (duplicates) would show within the grace period after the expected count.
      for (;;) {
        await sleep(200)
        const idle = Date.now() - last
        if (idle > (records >= expected ? 2_000 : 30_000)) break
      }
    } finally {
      await consumer.disconnect()
      await this.deleteGroup(groupId)
    }
    return { records, distinctInputs: keys.size }
  }

  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    return readEndOffsets(await this.getAdmin(), topic)
  }

  /** Committed offsets of `groupId` for `topic`, read back from the broker; undefined = none. */
  async committed(groupId: string, topic: string): Promise<Map<number, bigint | undefined>> {
    return readCommittedOffsets(await this.getAdmin(), groupId, topic)
  }

  /**
   * `expectCommitted`: every partition's committed offset equals its end offset. Otherwise (the
   * no-commit arms) nothing may be committed at all.
   */
  async checkOffsets(groupId: string, topic: string, ends: ReadonlyMap<number, bigint>, expectCommitted: boolean): Promise<OffsetCheck> {
    const committed = await this.committed(groupId, topic)
    const bad: string[] = []
    for (const [partition, end] of ends) {
      const offset = committed.get(partition)
      const ok = expectCommitted ? offset === end : offset === undefined
      if (!ok) bad.push(`p${partition} committed ${offset ?? 'none'} ${expectCommitted ? `≠ end ${end}` : '(expected none)'}`)
    }
    return { ok: bad.length === 0, detail: bad.join(', ') }
  }

  async deleteGroup(groupId: string): Promise<void> {
    await (await this.getAdmin()).deleteGroups([groupId]).catch(() => undefined)
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return
    await (await this.getAdmin()).deleteTopics({ topics: [...topics] }).catch(() => undefined)
  }

  async close(): Promise<void> {
    await this.admin?.disconnect()
    this.admin = undefined
  }
}
