// mode 'transactional' against a real broker: every input record's output is visible to a
// read_committed reader exactly once, and the group's committed offsets (read back from the broker)
// reach the end of the input. The output is read by a separate at-least-once consumer until its own
// committed offsets reach the output's end offsets (past the last transaction marker), so the count
// is of everything committed, not of what arrived so far.
import { KafkaJS } from '@confluentinc/kafka-javascript'
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest'
import { uniqueName, waitFor } from '@offsetkit/broker'
import type { ConsumedRecordHandler, OffsetkitConsumer } from '@offsetkit/commit-core'
import { KafkaHarness } from '../../conformance/src/kafka-harness.js'
import { offsetkitConfluent, type ConfluentOffsetkitOptions } from '../src/index.js'

let harness: KafkaHarness
let kafka: KafkaJS.Kafka

beforeAll(() => {
  const bootstrap = inject('kafka').bootstrapServers
  harness = new KafkaHarness(bootstrap)
  kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: bootstrap.split(','), logLevel: KafkaJS.logLevel.NOTHING } })
})
afterAll(() => harness.close())

type Message = KafkaJS.KafkaMessage
type Handler = ConsumedRecordHandler<Message>

function consumer(groupId: string, options: ConfluentOffsetkitOptions = {}): OffsetkitConsumer<Message> {
  const c = offsetkitConfluent(kafka, { kafkaJS: { groupId, fromBeginning: true, sessionTimeout: 10_000 } }, {
    mode: 'transactional',
    commit: { every: 50, interval: 200 },
    transaction: { id: uniqueName('ck-txn') },
    ...options,
  })
  onTestFinished(() => c.close().catch(() => undefined))
  return c
}

/** One output per input record, its value naming the input record. */
const forward = (output: string): Handler => (record, context) => {
  context.send(output, { key: record.key, value: `${record.partition}:${record.offset}` })
}

async function committedEqualsEnd(groupId: string, topic: string): Promise<void> {
  await waitFor(async () => {
    const [ends, committed] = await Promise.all([harness.endOffsets(topic), harness.committedOffsets(groupId, topic)])
    return [...ends].every(([p, end]) => committed.get(p) === end)
  }, { what: `the committed offsets of ${groupId} on ${topic} to reach its end offsets` })
}

/** Every committed output value (read_committed), read until the reader has committed the output's end. */
async function readCommitted(topic: string): Promise<string[]> {
  const groupId = uniqueName('ck-txn-reader')
  const seen = new Map<string, string>() // by output offset: a redelivery to the reader is not a duplicate output
  const reader = offsetkitConfluent(kafka, { kafkaJS: { groupId, fromBeginning: true } }, { commit: { interval: 100 } })
  onTestFinished(() => reader.close().catch(() => undefined))
  await reader.run({ topics: [topic], handler: (r) => void seen.set(`${r.partition}@${r.offset}`, Buffer.from(r.value ?? []).toString()) })
  await committedEqualsEnd(groupId, topic)
  await reader.close()
  return [...seen.values()]
}

function expectEachOnce(values: readonly string[], partitions: number, perPartition: number): void {
  const expected = Array.from({ length: partitions * perPartition }, (_, i) => `${i % partitions}:${Math.floor(i / partitions)}`)
  expect(values.length).toBe(expected.length)
  expect([...values].sort()).toEqual(expected.sort())
}

describe("offsetkitConfluent mode 'transactional'", () => {
  it('3 partitions x 100 records: each output exactly once, committed = end of input', async () => {
    const input = await harness.createTopic({ partitions: 3, prefix: 'ck-txn-in' })
    const output = await harness.createTopic({ partitions: 3, prefix: 'ck-txn-out' })
    await harness.produceCount(input, 300, 3)
    const groupId = uniqueName('ck-txn')
    const c = consumer(groupId)
    const failed: unknown[] = []
    c.on('commit.failed', (event) => failed.push(event))
    await c.run({ topics: [input], handler: forward(output) })
    await committedEqualsEnd(groupId, input)
    await c.close()
    expect(failed).toEqual([])
    expectEachOnce(await readCommitted(output), 3, 100)
  })

  it('a handler that fails once (after sending) for some records: still exactly once', async () => {
    const input = await harness.createTopic({ partitions: 3, prefix: 'ck-txn-in' })
    const output = await harness.createTopic({ partitions: 3, prefix: 'ck-txn-out' })
    await harness.produceCount(input, 150, 3)
    const groupId = uniqueName('ck-txn')
    const failedOnce = new Set<string>()
    const c = consumer(groupId, { failure: { retries: 3, backoff: { initialMs: 10, maxMs: 10, factor: 1 } } })
    await c.run({
      topics: [input],
      handler: (record, context) => {
        forward(output)(record, context)
        const id = `${record.partition}:${record.offset}`
        // What the failed attempt sent must never be produced.
        if (record.offset % 7n === 3n && !failedOnce.has(id)) {
          failedOnce.add(id)
          throw new Error(`first attempt of ${id} fails`)
        }
      },
    })
    await committedEqualsEnd(groupId, input)
    await c.close()
    expect(failedOnce.size).toBeGreaterThan(10)
    expectEachOnce(await readCommitted(output), 3, 50)
  })

  it('a second member joins mid-stream and leaves: each output exactly once', async () => {
    const input = await harness.createTopic({ partitions: 3, prefix: 'ck-txn-in' })
    const output = await harness.createTopic({ partitions: 3, prefix: 'ck-txn-out' })
    const groupId = uniqueName('ck-txn')
    // Records are produced in three rounds: before the join, while both members run, after the leave.
    const rounds = 3
    const perRound = 150 // 50 per partition
    const produceRound = (round: number) =>
      harness.produce(input, Array.from({ length: perRound }, (_, i) => ({ key: `k${round}-${i}`, value: String(i), partition: i % 3 })))
    let firstHandled = 0
    let secondHandled = 0
    const first = consumer(groupId)
    await produceRound(0)
    await first.run({ topics: [input], handler: (record, context) => { firstHandled++; forward(output)(record, context) } })
    await waitFor(() => firstHandled >= perRound, { what: 'the first member to handle the first round' })

    const second = consumer(groupId)
    const secondAssigned: number[] = []
    second.on('partition.assigned', ({ partition }) => secondAssigned.push(partition))
    await second.run({ topics: [input], handler: (record, context) => { secondHandled++; forward(output)(record, context) } })
    await waitFor(() => secondAssigned.length > 0, { what: 'the second member to be assigned partitions' })
    await produceRound(1)
    await waitFor(() => secondHandled > 0, { what: 'the second member to handle records of the second round' })
    await second.close()

    await produceRound(2)
    await committedEqualsEnd(groupId, input)
    await first.close()
    expectEachOnce(await readCommitted(output), 3, (rounds * perRound) / 3)
  })
})
