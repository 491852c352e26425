// A real kafkajs consumer against the test broker, instrumented: the metrics agree with the
// consumer's own events and with the offsets read back from the broker.
// kafkajs and the adapter are not dependencies of this package: the consumer comes from the
// kafkajs adapter's conformance factory (which resolves kafkajs from packages/kafkajs).
import { afterEach, expect, inject, it } from 'vitest'
import { noopLogger } from '@offsetkit/commit-core'
import { waitFor } from '@offsetkit/broker'
import { KafkaHarness } from '@offsetkit/conformance'
import { factory } from '../../kafkajs/test/conformance-factory.js'
import { OFFSETKIT_ATTRIBUTES as A, OFFSETKIT_METRICS as M, instrumentOffsetkit } from '../src/index.js'
import { collect, meterProviderWithReader } from './metrics-snapshot.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

it('kafkajs: commits counted equal the commits made, and lag per partition reaches 0 once everything is committed', async () => {
  const harness = new KafkaHarness(inject('kafka').bootstrapServers)
  cleanups.push(() => harness.close())
  const topic = await harness.createTopic({ partitions: 3, prefix: 'otel-kafkajs' })
  await harness.produceCount(topic, 300, 3)
  const groupId = harness.name('otel-kafkajs-group')

  const consumer = await factory.createConsumer({
    bootstrapServers: inject('kafka').bootstrapServers,
    groupId,
    offsetkit: { commit: { every: 50, interval: 200 }, logger: noopLogger },
  })
  cleanups.push(async () => {
    await consumer.close()
    await factory.cleanup?.()
  })
  const { provider, reader } = meterProviderWithReader()
  cleanups.push(() => provider.shutdown())
  const instrumentation = instrumentOffsetkit(consumer, { meterProvider: provider, attributes: { 'messaging.consumer.group.name': groupId } })
  cleanups.push(() => instrumentation.close())
  let succeeded = 0
  consumer.on('commit.succeeded', () => succeeded++)

  let processed = 0
  await consumer.run({ topics: [topic], handler: () => void processed++ })
  const partition = (n: number) => ({ [A.topic]: topic, [A.partition]: String(n) })
  const snapshot = await waitFor(async () => {
    const s = await collect(reader)
    const lags = [0, 1, 2].map((n) => s.points(M.partitionLag, partition(n)))
    return lags.every((points) => points.length === 1 && points[0]?.value === 0) && processed === 300 ? s : undefined
  }, { what: 'lag 0 on every partition after 300 records', timeoutMs: 60_000 })

  const committed = await harness.committedOffsets(groupId, topic)
  const ends = await harness.endOffsets(topic)
  for (const n of [0, 1, 2]) {
    expect(committed.get(n)).toBe(100n)
    expect(snapshot.value(M.partitionCommittedOffset, partition(n))).toBe(Number(committed.get(n)))
    expect(snapshot.value(M.partitionEndOffset, partition(n))).toBe(Number(ends.get(n)))
  }
  expect(snapshot.value(M.partitionsOwned)).toBe(3)
  expect(snapshot.value(M.recordsInFlight)).toBe(0)
  expect(snapshot.value(M.consumerStatus, { [A.healthStatus]: 'ok' })).toBe(1)

  await consumer.close()
  const closed = await collect(reader)
  expect(succeeded).toBeGreaterThan(0)
  expect(closed.value(M.commits, { [A.commitOutcome]: 'succeeded' })).toBe(succeeded)
  expect(closed.value(M.commits, { [A.commitOutcome]: 'failed' })).toBe(0)
  expect(closed.histogram(M.commitDuration).reduce((n, p) => n + p.value.count, 0)).toBe(succeeded)
  expect(closed.value(M.consumerStatus, { [A.healthStatus]: 'closed' })).toBe(1)
  for (const attributes of closed.allAttributes()) expect(attributes['messaging.consumer.group.name']).toBe(groupId)
})
