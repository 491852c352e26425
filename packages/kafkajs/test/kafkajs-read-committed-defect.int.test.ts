// A tripwire for a defect of the kafkajs client itself (README: "Known kafkajs defect"): with
// aborted transactions of several producers overlapping in a partition, a kafkajs consumer with
// readUncommitted: false delivers a record of an aborted transaction. The conformance suite
// declares the gap for this adapter; when a kafkajs release fixes the filter, this test fails
// and the declaration (test/conformance-factory.ts) and the README section must go.
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { waitFor } from '@offsetkit/broker'
import { KafkaHarness } from '@offsetkit/conformance'

let harness: KafkaHarness
beforeAll(() => {
  harness = new KafkaHarness(inject('kafka').bootstrapServers)
})
afterAll(async () => {
  await harness.close()
})

it('kafkajs 2.2.4 read_committed delivers a record of an aborted transaction (librdkafka does not)', async () => {
  const topic = await harness.createTopic({ partitions: 1 })
  await harness.produceInterleavedAborts(topic)
  // The neutral reader: librdkafka's read_committed sees only the committed records.
  expect((await harness.readCommitted(topic)).map((r) => r.value)).toEqual(['c1', 'c2'])

  const kafka = new Kafka({ brokers: inject('kafka').bootstrapServers.split(','), logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: harness.name('kafkajs-rc-defect'), readUncommitted: false, maxWaitTimeInMs: 200 })
  const values: string[] = []
  let position = 0n
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    position = BigInt(payload.lastOffset) + 1n
  })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? '') })
    await waitFor(() => position >= 9n, { what: 'the kafkajs reader at the end offset 9', timeoutMs: 30_000 })
  } finally {
    await consumer.disconnect()
  }
  expect(values).toEqual(['b1', 'c1', 'c2'])
}, 60_000)
