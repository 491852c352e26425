// Regression: with a backlog on 3 partitions, one fetch brings in several partitions' runs; the
// first batch alone fills the in-flight bound, so core pauses every partition while the others'
// runs still wait, undelivered, in the KafkaJS API's cache. Through that API's pause() those runs
// were dropped with no seek back (nothing of theirs was resolved yet), so those partitions never
// delivered a record: no error, nothing committed. Committed offsets are read from the broker.
import { KafkaJS } from '@confluentinc/kafka-javascript'
import { afterAll, beforeAll, expect, inject, it, onTestFinished } from 'vitest'
import { uniqueName, waitFor } from '@offsetkit/broker'
import { KafkaHarness } from '../../conformance/src/kafka-harness.js'
import { offsetkitConfluent } from '../src/index.js'

let harness: KafkaHarness
let kafka: KafkaJS.Kafka

beforeAll(() => {
  const bootstrap = inject('kafka').bootstrapServers
  harness = new KafkaHarness(bootstrap)
  kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: bootstrap.split(','), logLevel: KafkaJS.logLevel.NOTHING } })
})
afterAll(() => harness.close())

it('a pause by the in-flight bound loses no partition: every offset of 3 partitions is processed and committed', async () => {
  const partitions = 3
  const perPartition = 100
  const topic = await harness.createTopic({ partitions, prefix: 'ck-pause-backlog' })
  await harness.produceCount(topic, partitions * perPartition, partitions)
  const ends = await harness.endOffsets(topic)
  const expected = [...ends].flatMap(([partition, end]) => Array.from({ length: Number(end) }, (_, offset) => `${partition}:${offset}`))
  const groupId = uniqueName('ck-pause-backlog')
  // Far below one partition's backlog, so the first batch pauses every partition at once.
  const c = offsetkitConfluent(kafka, { kafkaJS: { groupId, fromBeginning: true } }, { commit: { every: 100 }, maxInFlight: 10 })
  onTestFinished(() => c.close().catch(() => undefined))
  let pauses = 0
  c.on('partitions.paused', () => void pauses++)
  const seen = new Set<string>()
  // Async, as real handlers are: records stay in flight past the batch that brought them.
  await c.run({ topics: [topic], handler: async (r) => void seen.add(`${r.partition}:${r.offset}`) })

  const handledPerPartition = (): string => JSON.stringify([...ends.keys()].map((p) => [p, [...seen].filter((k) => k.startsWith(`${p}:`)).length]))
  await waitFor(() => seen.size === expected.length, { what: `all ${expected.length} records handled` }).catch((error: Error) => {
    throw new Error(`${error.message}; handled per partition: ${handledPerPartition()}`)
  })
  expect(pauses).toBeGreaterThan(0)
  expect([...seen].sort()).toEqual(expected.sort())

  await c.close()
  expect(await harness.committedOffsets(groupId, topic)).toEqual(ends)
})
