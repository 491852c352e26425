// mode: 'transactional' against the real broker: every input record's output is read exactly
// once by a read_committed reader, and the group's committed offsets (read back from the broker)
// reach the input's end — through handler retries and a rebalance.
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { uniqueName, waitFor } from '@offsetkit/broker'
import { KafkaHarness } from '@offsetkit/conformance'
import type { ConsumedRecordHandler } from '@offsetkit/commit-core'
import { offsetkitKafkajs, type OffsetkitConsumer } from '../src/index.js'

const PARTITIONS = 3
let harness: KafkaHarness
const cleanup: Array<() => Promise<unknown>> = []

beforeAll(() => {
  harness = new KafkaHarness(inject('kafka').bootstrapServers)
})

afterAll(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((close) => close()))
  await harness.close()
})

const newKafka = (): Kafka => new Kafka({ brokers: inject('kafka').bootstrapServers.split(','), clientId: 'offsetkit-txn', logLevel: logLevel.NOTHING })

/** A consume-transform-produce member: one output (the input's value) per input record. */
async function startPipeline(input: string, output: string, groupId: string, handle?: ConsumedRecordHandler): Promise<OffsetkitConsumer> {
  const kafka = newKafka()
  const consumer = offsetkitKafkajs(kafka.consumer({ groupId, maxWaitTimeInMs: 250, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10_000 }), {
    mode: 'transactional',
    transaction: { kafka, id: groupId },
    fromBeginning: true,
    commit: { every: 20, interval: 200 },
    failure: { retries: 3, backoff: { initialMs: 10, maxMs: 50 }, then: 'stop' },
    drainTimeoutMs: 5000,
  })
  cleanup.push(() => consumer.close())
  await consumer.run({
    topics: [input],
    handler: async (record, context) => {
      await handle?.(record, context)
      context.send(output, { key: record.key, value: record.value })
    },
  })
  return consumer
}

/**
 * Every value of `topic` as a read_committed reader sees it. The harness reads with librdkafka:
 * kafkajs's own read_committed filter lets aborted records through when aborted transactions of
 * several producers interleave (see the README's known client defects).
 */
async function readCommitted(topic: string): Promise<string[]> {
  return (await harness.readCommitted(topic)).map((row) => row.value ?? '')
}

async function expectExactlyOnce(input: string, output: string, groupId: string, count: number): Promise<void> {
  const ends = await harness.endOffsets(input)
  await waitFor(async () => {
    const committed = await harness.committedOffsets(groupId, input)
    return [...ends].every(([p, end]) => committed.get(p) === end)
  }, { what: 'committed offsets at the input end', timeoutMs: 45_000 })
  const values = await readCommitted(output)
  const seen = new Map<string, number>()
  for (const value of values) seen.set(value, (seen.get(value) ?? 0) + 1)
  const wrong = [...seen].filter(([, n]) => n !== 1)
  expect(wrong, 'outputs seen more than once').toEqual([])
  expect(seen.size).toBe(count)
  expect([...seen.keys()].sort()).toEqual(Array.from({ length: count }, (_, i) => String(i)).sort())
}

async function topics(): Promise<{ input: string; output: string; groupId: string }> {
  const input = await harness.createTopic({ partitions: PARTITIONS, prefix: 'txn-in' })
  const output = await harness.createTopic({ partitions: 2, prefix: 'txn-out' })
  return { input, output, groupId: uniqueName('txn-group') }
}

describe("kafkajs mode: 'transactional'", () => {
  it('3 partitions × 100 records: each output exactly once for a read_committed reader; committed = end', async () => {
    const { input, output, groupId } = await topics()
    await harness.produceCount(input, 300, PARTITIONS)
    const consumer = await startPipeline(input, output, groupId)
    await expectExactlyOnce(input, output, groupId, 300)
    await consumer.close()
  })

  it('a handler that throws once for some records (retried): still exactly once, the failed attempts\' sends never produced', async () => {
    const { input, output, groupId } = await topics()
    await harness.produceCount(input, 150, PARTITIONS)
    const failed = new Set<string>()
    const consumer = await startPipeline(input, output, groupId, (record, context) => {
      const value = new TextDecoder().decode(record.value ?? new Uint8Array())
      if (Number(value) % 7 === 0 && !failed.has(value)) {
        failed.add(value)
        context.send(output, { value: `discarded-${value}` })
        throw new Error(`first attempt of ${value} fails`)
      }
    })
    await expectExactlyOnce(input, output, groupId, 150)
    expect(failed.size).toBe(22)
    await consumer.close()
  })

  it('a second member joins mid-stream and leaves again (two rebalances): still exactly once', async () => {
    const { input, output, groupId } = await topics()
    await harness.produceCount(input, 150, PARTITIONS)
    let handled = 0
    let bySecond = 0
    const slow = (member: 'first' | 'second'): ConsumedRecordHandler => async () => {
      handled++
      if (member === 'second') bySecond++
      // Keep records in flight across the rebalance (handler latency, not a wait for state).
      await new Promise((resolve) => setImmediate(resolve))
    }
    const first = await startPipeline(input, output, groupId, slow('first'))
    await waitFor(() => handled >= 30, { what: 'the first member is processing' })
    const second = await startPipeline(input, output, groupId, slow('second'))
    await harness.produce(input, Array.from({ length: 150 }, (_, i) => ({ key: `k${150 + i}`, value: String(150 + i), partition: i % PARTITIONS })))
    // The second member got partitions: they moved, and moved back when it left.
    await waitFor(() => handled >= 200 && bySecond > 0, { what: 'both members processing' })
    await second.close()
    await harness.produce(input, Array.from({ length: 60 }, (_, i) => ({ key: `k${300 + i}`, value: String(300 + i), partition: i % PARTITIONS })))
    await expectExactlyOnce(input, output, groupId, 360)
    await first.close()
  })
})
