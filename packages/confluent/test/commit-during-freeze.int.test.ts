// Issue 8 (broker-freeze × confluent in `pnpm validate`): an async commit whose 'offset.commit'
// event did not come within 2 s used to be settled with the internal client's commitSync, which
// has no timeout and runs on the JS thread. With the group coordinator frozen, that froze the whole
// process — no records, events, logs, timers, health() — until the broker answered (under KIP-848
// not even then: gdb showed three validation consumers in rd_kafka_commit 5+ minutes after the
// thaw). This file starts its own broker, because it freezes it.
import { KafkaJS } from '@confluentinc/kafka-javascript'
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startBroker, waitFor, type Broker } from '@offsetkit/broker'
import { noopLogger } from '@offsetkit/commit-core'
import { KafkaHarness } from '@offsetkit/conformance'
import { offsetkitConfluent } from '../src/index.js'

/** How long the broker stays frozen with a commit in flight: well past the old 2 s fallback. */
const FREEZE_MS = 6_000

let broker: Broker
let harness: KafkaHarness
beforeAll(async () => {
  broker = await startBroker({ mode: 'local' })
  harness = new KafkaHarness(broker.bootstrapServers)
}, 120_000)
afterAll(async () => {
  broker?.nodes[0]?.thaw()
  await harness?.close().catch(() => undefined)
  await broker?.stop()
})

it('a commit in flight while the coordinator is frozen never blocks the event loop; it lands after the thaw', async () => {
  const topic = await harness.createTopic({ partitions: 1 })
  await harness.produceCount(topic, 20, 1)
  const groupId = harness.name('commit-during-freeze')
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: broker.bootstrapServers.split(','), logLevel: KafkaJS.logLevel.NOTHING } })
  const consumer = offsetkitConfluent(kafka, { kafkaJS: { groupId, fromBeginning: true } }, { commit: { every: 1 }, logger: noopLogger })
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  try {
    await consumer.run({ topics: [topic], handler: (record) => (record.offset >= 10n ? gate : undefined) })
    await waitFor(async () => (await harness.committedOffsets(groupId, topic)).get(0) === 10n, { what: 'offset 10 committed', timeoutMs: 60_000, intervalMs: 100 })
    const node = broker.nodes[0]!
    // The thaw comes from another process: a blocked event loop could not send it.
    const thaw = spawn('sh', ['-c', `sleep ${FREEZE_MS / 1000}; kill -CONT ${node.pid!}`], { stdio: 'ignore' })
    const thawed = new Promise((resolve) => thaw.once('exit', resolve))
    node.freeze()
    // Records 10-19 finish now: their commit goes to a frozen coordinator.
    release()
    let last = performance.now()
    let longestGap = 0
    const ticker = setInterval(() => {
      const now = performance.now()
      longestGap = Math.max(longestGap, now - last)
      last = now
    }, 50)
    await thawed
    clearInterval(ticker)
    // Up to now too: after a block, the thaw's exit event can come before the ticker runs again.
    longestGap = Math.max(longestGap, performance.now() - last)
    // The event loop ran all along (a blocking commitSync stopped it from 2 s into the freeze on).
    expect(longestGap).toBeLessThan(1_000)
    await waitFor(async () => (await harness.committedOffsets(groupId, topic)).get(0) === 20n, { what: 'offset 20 committed after the thaw', timeoutMs: 90_000, intervalMs: 250 })
  } finally {
    broker.nodes[0]?.thaw()
    await consumer.close()
  }
}, 240_000)
