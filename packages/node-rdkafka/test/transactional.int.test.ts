// mode: 'transactional' against a real broker: every input record's output is read exactly once by
// a read_committed reader, and the group's committed offsets (read back from the broker) reach the
// end of the input. Failed attempts and a member joining and leaving mid-stream must not change that.
import { inject, onTestFinished } from 'vitest'
import { describe, expect, it } from 'vitest'
import { uniqueName, waitFor } from '@offsetkit/broker'
import type { OffsetkitConsumer } from '@offsetkit/commit-core'
import Kafka from 'node-rdkafka'
import type { Message } from 'node-rdkafka'
import type { KafkaHarness } from '../../conformance/src/kafka-harness.js'
import { offsetkitNodeRdkafka, type HandlerContext, type NodeRdkafkaOffsetkitOptions } from '../src/index.js'
import { byPartition, consumerConfig, group, harness } from './node-rdkafka-test-kit.js'

const PARTITIONS = 3
const PER_PARTITION = 100

function transactionalConsumer(groupId: string, options: NodeRdkafkaOffsetkitOptions = {}): OffsetkitConsumer<Message> {
  const consumer = offsetkitNodeRdkafka(
    { config: consumerConfig(groupId, { 'partition.assignment.strategy': 'cooperative-sticky' }), topicConfig: { 'auto.offset.reset': 'earliest' } },
    {
      mode: 'transactional',
      transaction: { producerConfig: { 'metadata.broker.list': inject('kafka').bootstrapServers, 'transactional.id': uniqueName('rdk-txn') } },
      commit: { every: 25, interval: 200 },
      ...options,
    },
  )
  onTestFinished(() => consumer.close())
  return consumer
}

/** One output per input record, naming it: `<partition>:<offset>`. */
function transform(output: string) {
  return (record: { partition: number; offset: bigint; key: Uint8Array | null }, context: HandlerContext): void => {
    context.send(output, { key: record.key, value: `${record.partition}:${record.offset}` })
  }
}

const expectedOutputs = (): string[] =>
  Array.from({ length: PARTITIONS }, (_, p) => Array.from({ length: PER_PARTITION }, (_, o) => `${p}:${o}`)).flat().sort()

async function inputTopics(kafka: KafkaHarness): Promise<{ input: string; output: string }> {
  const input = await kafka.createTopic({ partitions: PARTITIONS, prefix: 'rdk-txn-in' })
  const output = await kafka.createTopic({ partitions: PARTITIONS, prefix: 'rdk-txn-out' })
  return { input, output }
}

async function committedToEnd(kafka: KafkaHarness, groupId: string, topic: string): Promise<void> {
  const ends = JSON.stringify(byPartition(await kafka.endOffsets(topic)))
  await waitFor(async () => JSON.stringify(byPartition(await kafka.committedOffsets(groupId, topic))) === ends, {
    what: `the committed offsets of ${topic} to reach its end ${ends}`, timeoutMs: 45_000,
  })
}

/**
 * Every committed record of `topic`, read with isolation.level=read_committed until the reader's
 * position is at each partition's end (positions step over transaction markers and aborted records).
 */
async function readCommitted(kafka: KafkaHarness, topic: string): Promise<string[]> {
  const ends = await kafka.endOffsets(topic)
  const reader = new Kafka.KafkaConsumer(
    { 'metadata.broker.list': inject('kafka').bootstrapServers, 'group.id': group(), 'isolation.level': 'read_committed', 'enable.auto.commit': false },
    { 'auto.offset.reset': 'earliest' },
  )
  await new Promise<void>((resolve, reject) => { reader.connect({}, (error) => (error ? reject(error) : resolve())) })
  onTestFinished(() => new Promise<void>((resolve) => { reader.disconnect(() => resolve()) }))
  reader.assign([...ends.keys()].map((partition) => ({ topic, partition, offset: 0 })))
  const values: string[] = []
  await waitFor(() => new Promise<boolean>((resolve) => reader.consume(500, (error, messages) => {
    if (!error) values.push(...messages.map((m) => m.value?.toString() ?? ''))
    const positions = reader.position([...ends.keys()].map((partition) => ({ topic, partition })))
    resolve(positions.every(({ partition, offset }) => BigInt(offset ?? -1) >= (ends.get(partition) ?? 0n)))
  })), { what: `a read_committed reader at the end of ${topic}`, timeoutMs: 30_000 })
  return values.sort()
}

describe("node-rdkafka mode: 'transactional'", () => {
  it('produces each output exactly once and commits the input to its end', async () => {
    const kafka = harness()
    const { input, output } = await inputTopics(kafka)
    await kafka.produceCount(input, PARTITIONS * PER_PARTITION, PARTITIONS)
    const groupId = group()
    const consumer = transactionalConsumer(groupId)
    await consumer.run({ topics: [input], handler: transform(output) })
    await committedToEnd(kafka, groupId, input)
    await consumer.close()
    expect(await readCommitted(kafka, output)).toEqual(expectedOutputs())
    // Transactions leave a commit marker per transaction and partition: more offsets than outputs.
    const outputEnd = [...(await kafka.endOffsets(output)).values()].reduce((sum, end) => sum + end, 0n)
    expect(outputEnd).toBeGreaterThan(BigInt(PARTITIONS * PER_PARTITION))
  })

  it('discards what a failed attempt sent: still exactly once when handlers throw and retry', async () => {
    const kafka = harness()
    const { input, output } = await inputTopics(kafka)
    await kafka.produceCount(input, PARTITIONS * PER_PARTITION, PARTITIONS)
    const groupId = group()
    const consumer = transactionalConsumer(groupId, { failure: { retries: 2, backoff: { initialMs: 1, maxMs: 5 }, then: 'stop' } })
    const send = transform(output)
    let thrown = 0
    await consumer.run({
      topics: [input],
      handler: (record, context) => {
        send(record, context)
        // Every 7th record fails its first attempt AFTER sending: that output must never appear.
        if (record.offset % 7n === 3n && context.attempt === 1) {
          thrown++
          throw new Error('transient')
        }
      },
    })
    await committedToEnd(kafka, groupId, input)
    await consumer.close()
    expect(thrown).toBeGreaterThan(0)
    expect(await readCommitted(kafka, output)).toEqual(expectedOutputs())
  })

  it('a second member joining mid-stream and leaving again: still exactly once', async () => {
    const kafka = harness()
    const { input, output } = await inputTopics(kafka)
    const half = (from: number) => Array.from({ length: PARTITIONS * PER_PARTITION / 2 }, (_, i) => {
      const n = from + i
      return { key: `k${n}`, value: String(n), partition: n % PARTITIONS }
    })
    await kafka.produce(input, half(0))
    const groupId = group()
    const first = transactionalConsumer(groupId)
    await first.run({ topics: [input], handler: transform(output) })
    await waitFor(async () => [...(await kafka.committedOffsets(groupId, input)).values()].some((o) => o !== undefined && o > 0n), {
      what: 'the first member to commit a transaction',
    })
    const second = transactionalConsumer(groupId)
    const secondOwned: number[] = []
    second.on('partition.assigned', ({ partition }) => secondOwned.push(partition))
    let secondHandled = 0
    const send = transform(output)
    await second.run({ topics: [input], handler: (record, context) => { secondHandled++; send(record, context) } })
    await waitFor(() => secondOwned.length > 0, { what: 'the second member to get partitions', timeoutMs: 30_000 })
    await kafka.produce(input, half(PARTITIONS * PER_PARTITION / 2))
    await waitFor(() => secondHandled > 0, { what: 'the second member to process records' })
    await second.close()
    await committedToEnd(kafka, groupId, input)
    await first.close()
    expect(await readCommitted(kafka, output)).toEqual(expectedOutputs())
  })
})
