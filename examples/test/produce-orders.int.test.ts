import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { uniqueName } from '@offsetkit/broker'
import { KafkaHarness } from '@offsetkit/conformance'
import { runExample } from './example-process.js'

let harness: KafkaHarness
beforeAll(() => {
  harness = new KafkaHarness(inject('kafka').bootstrapServers)
})
afterAll(() => harness.close())

it('produce-orders.ts creates the topic and writes COUNT orders, every POISON_EVERY-th malformed', async () => {
  const topic = uniqueName('example-orders')
  const output = await runExample('produce-orders.ts', {
    KAFKA_BROKERS: inject('kafka').bootstrapServers, TOPIC: topic, PARTITIONS: '2', COUNT: '10', POISON_EVERY: '5',
  })
  expect(output).toContain(`created ${topic}: 10 records`)
  const records = await harness.readToEnd(topic)
  expect(records.map((r) => r.value).sort()).toEqual(
    ['not json 4', 'not json 9', ...[0, 1, 2, 3, 5, 6, 7, 8].map((order) => JSON.stringify({ order }))].sort(),
  )
  expect([...(await harness.endOffsets(topic)).keys()].sort()).toEqual([0, 1])
})
