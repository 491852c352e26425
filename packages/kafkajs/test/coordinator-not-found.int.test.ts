// Issue 8 (broker-restart-backlog × kafkajs in `pnpm validate`): when every broker fails the group
// coordinator lookup for longer than kafkajs' retry budget — a restarted broker still loading its
// groups, or a brand-new one still creating __consumer_offsets — kafkajs 2.2.4 crashes its
// consumer with KafkaJSGroupCoordinatorNotFound, which it treats as final: it disconnects and
// never runs again. The adapter must run it again — also when that restart cannot connect yet.
// A brand-new broker (this file starts its own) and a retry budget of 0 make that crash come at
// the first lookup, every time; the broker is then killed and restarted under the adapter.
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startBroker, waitFor, type Broker } from '@offsetkit/broker'
import { noopLogger } from '@offsetkit/commit-core'
import { KafkaHarness } from '@offsetkit/conformance'
import { offsetkitKafkajs } from '../src/index.js'

let broker: Broker
let harness: KafkaHarness
beforeAll(async () => {
  broker = await startBroker({ mode: 'local' })
  harness = new KafkaHarness(broker.bootstrapServers)
}, 120_000)
afterAll(async () => {
  await harness?.close().catch(() => undefined)
  await broker?.stop()
})

it('kafkajs gives up on a coordinator that is not there yet; the adapter runs it again and it commits to the end', async () => {
  const topic = await harness.createTopic({ partitions: 3 })
  await harness.produceCount(topic, 300, 3)
  const groupId = harness.name('coordinator-not-found')
  const kafka = new Kafka({ brokers: broker.bootstrapServers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 } })
  const client = kafka.consumer({ groupId, maxWaitTimeInMs: 250 })
  const finalCrashes: string[] = []
  client.on(client.events.CRASH, ({ payload }) => {
    if (!payload.restart) finalCrashes.push(payload.error.name)
  })
  const consumer = offsetkitKafkajs(client, { fromBeginning: true, commit: { every: 10, interval: 200 }, logger: noopLogger })
  const failures: boolean[] = []
  consumer.on('client.failed', (event) => failures.push(event.restarting))
  try {
    await consumer.run({ topics: [topic], handler: () => undefined })
    // The adapter's restart is due in 1 s. Take the broker away first: that restart cannot even
    // connect, and must be tried again (a connection refused is the broker still away, not the end).
    expect(finalCrashes).toContain('KafkaJSGroupCoordinatorNotFound')
    await broker.nodes[0]!.kill()
    await waitFor(() => failures.length >= 2, { what: 'the restart to fail while the broker is down', timeoutMs: 30_000, intervalMs: 50 })
    await broker.nodes[0]!.start()
    const ends = await harness.endOffsets(topic)
    await waitFor(async () => {
      const committed = await harness.committedOffsets(groupId, topic)
      return [...ends].every(([p, end]) => committed.get(p) === end)
    }, { what: 'the committed offsets at the end offsets', timeoutMs: 60_000, intervalMs: 250 })
    // The trigger happened (kafkajs' own event), and was said as a crash the client comes back from.
    expect(finalCrashes).toContain('KafkaJSGroupCoordinatorNotFound')
    expect(failures.length).toBeGreaterThan(0)
    expect(failures.every((restarting) => restarting)).toBe(true)
    expect(consumer.health().status).not.toBe('failed')
  } finally {
    await consumer.close()
  }
}, 180_000)
