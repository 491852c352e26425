// One suite every client's examples run through: each example is started as a real process
// against the shared broker, and judged by the offsets its group committed, read back from the
// broker (never from what the example printed about its own commits).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { uniqueName } from '@offsetkit/broker'
import { KafkaHarness } from '@offsetkit/conformance'
import { startExample, type ExampleProcess } from './example-process.js'

export type ExampleClient = 'kafkajs' | 'confluent' | 'node-rdkafka'

/** Offsets map → plain object, so that a failed comparison reads well. */
function byPartition(offsets: Map<number, bigint | undefined>): Record<number, string | undefined> {
  return Object.fromEntries([...offsets].sort(([a], [b]) => a - b).map(([p, o]) => [p, o?.toString()]))
}

export function defineExampleTests(client: ExampleClient): void {
  describe(`${client} examples`, () => {
    let harness: KafkaHarness
    let brokers: string
    beforeAll(() => {
      brokers = inject('kafka').bootstrapServers
      harness = new KafkaHarness(brokers)
    })
    afterAll(() => harness.close())

    /** A fresh topic holding `count` records, and the env an example needs to consume it. */
    async function setUp(count: number, partitions = 2) {
      const topic = await harness.createTopic({ partitions, prefix: `example-${client}` })
      await harness.produceCount(topic, count, partitions)
      const groupId = uniqueName(`example-${client}`)
      return { topic, groupId, env: { KAFKA_BROKERS: brokers, TOPIC: topic, GROUP_ID: groupId } }
    }

    /** Waits until the group's committed offsets, read from the broker, equal the log end. */
    async function committedToEnd(example: ExampleProcess, groupId: string, topic: string): Promise<void> {
      const end = byPartition(await harness.endOffsets(topic))
      await example.until(async () => {
        const committed = JSON.stringify(byPartition(await harness.committedOffsets(groupId, topic)))
        // Thrown, so that a timeout reports how far the commits got.
        if (committed !== JSON.stringify(end)) throw new Error(`committed ${committed}`)
        return true
      }, `committed offsets ${JSON.stringify(end)}`)
    }

    async function commitsEverything(file: string, count: number, env: Record<string, string> = {}): Promise<ExampleProcess> {
      const { topic, groupId, env: base } = await setUp(count)
      const example = startExample(`${client}/${file}`, { ...base, ...env })
      await committedToEnd(example, groupId, topic)
      expect(await example.stop()).toBe(0)
      return example
    }

    it('auto-commit.ts commits on its interval, without close', async () => {
      await commitsEverything('auto-commit.ts', 20, { COMMIT_INTERVAL_MS: '200' })
    })

    it('per-message.ts commits each record', async () => {
      await commitsEverything('per-message.ts', 20)
    })

    it('per-message-async.ts commits each record without waiting', async () => {
      await commitsEverything('per-message-async.ts', 20)
    })

    it('every-n.ts commits every N done records, without close', async () => {
      // 30 records, N = 10: the last record done triggers a commit, so nothing waits for close.
      await commitsEverything('every-n.ts', 30, { COMMIT_EVERY: '10' })
    })

    it('unordered.ts commits to the end although records finish out of order', async () => {
      const example = await commitsEverything('unordered.ts', 60, { COMMIT_INTERVAL_MS: '200' })
      expect(example.processed()).toHaveLength(60)
    })

    it('dead-letter.ts sends records that keep failing to the dead-letter topic, then commits past them', async () => {
      const topic = await harness.createTopic({ partitions: 2, prefix: `example-${client}` })
      const dlq = await harness.createTopic({ partitions: 1, prefix: `example-${client}-dlq` })
      const values = Array.from({ length: 12 }, (_, i) => (i % 5 === 3 ? `not json ${i}` : JSON.stringify({ order: i })))
      await harness.produce(topic, values.map((value, i) => ({ value, partition: i % 2 })))
      const groupId = uniqueName(`example-${client}`)
      const example = startExample(`${client}/dead-letter.ts`, { KAFKA_BROKERS: brokers, TOPIC: topic, GROUP_ID: groupId, DLQ_TOPIC: dlq })
      // A dead-lettered record counts as done only once the dead-letter topic acknowledged it.
      await committedToEnd(example, groupId, topic)
      const deadLetters = await harness.readToEnd(dlq)
      expect(deadLetters.map((r) => r.value).sort()).toEqual(values.filter((v) => v.startsWith('not json')).sort())
      expect(await example.stop()).toBe(0)
    })

    it('commit-on-shutdown.ts commits exactly what it processed when SIGTERM comes mid-stream', async () => {
      const count = 200
      const { topic, groupId, env } = await setUp(count)
      const example = startExample(`${client}/commit-on-shutdown.ts`, { ...env, WORK_MS: '20' })
      await example.until(() => example.processed().length >= 10, '10 records processed')
      // commit: 'manual': nothing is committed while it runs.
      expect(byPartition(await harness.committedOffsets(groupId, topic))).toEqual({ 0: undefined, 1: undefined })
      expect(await example.stop('SIGTERM')).toBe(0)

      const processed = example.processed()
      expect(processed.length).toBeLessThan(count)
      // Partition order: each partition's processed offsets are 0..k-1, so it must have committed k.
      const expected = new Map<number, bigint | undefined>([[0, undefined], [1, undefined]])
      for (const { partition, offset } of processed) expected.set(partition, offset + 1n)
      expect(byPartition(await harness.committedOffsets(groupId, topic))).toEqual(byPartition(expected))
    })
  })
}
