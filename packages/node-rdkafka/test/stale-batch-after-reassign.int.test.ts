// Regression (found by `pnpm validate`, scenario group-consumption, 41 duplicates on clean
// rebalances): node-rdkafka's consume(n) gathers its batch on a worker thread and returns only
// when n records came or none came for the consume timeout. Under steady traffic one call spans
// a revoke and the later re-assignment of the same partition; the records it fetched BEFORE the
// revoke then reached core after the re-assignment, were accepted as the new assignment's, and
// were processed a second time (another member had processed them meanwhile). The same call shape
// starved the handler outright: with a large batchSize and steady traffic a call never returned
// (before the fix this test timed out waiting for the first 50 records).
// Committed offsets are read back from the broker; duplicates are counted from what handlers saw.
import { afterEach, expect, it } from 'vitest'
import { waitFor } from '@offsetkit/broker'
import { byPartition, group, harness, newConsumer } from './node-rdkafka-test-kit.js'

const cooperative = { 'partition.assignment.strategy': 'cooperative-sticky' } as const
let stopProducing = (): Promise<void> => Promise.resolve()
afterEach(() => stopProducing())

it('a partition revoked and given back while a consume call is in flight: its stale records are not processed again', async () => {
  const kafka = harness()
  const partitions = 4
  const topic = await kafka.createTopic({ partitions, prefix: 'rdk-stale-batch' })
  // Steady traffic all along, as a live topic has: ~100 records/s round-robin.
  let producing = true
  let sent = 0
  const producer = (async () => {
    while (producing) {
      await kafka.produce(topic, [{ value: String(sent), partition: sent % partitions }])
      sent++
      await new Promise((r) => setTimeout(r, 10))
    }
  })()
  stopProducing = async () => {
    producing = false
    await producer
  }

  const groupId = group()
  const seen = new Map<string, string[]>()
  const handler = (who: string) => (r: { partition: number; offset: unknown }) => {
    const key = `${r.partition}:${String(r.offset)}`
    seen.set(key, [...(seen.get(key) ?? []), who])
  }
  // A large batch and a long consume timeout: the shape under which one consume call spans the
  // whole join and leave of the second member.
  const a = newConsumer(groupId, { commit: { every: 20 }, batchSize: 100_000, consumeTimeoutMs: 2000 }, cooperative)
  await a.run({ topics: [topic], handler: handler('a') })
  await waitFor(() => seen.size >= 50, { what: 'the first member to process 50 records', timeoutMs: 60_000 })

  const b = newConsumer(groupId, { commit: { every: 20 } }, cooperative)
  const bAssigned: number[] = []
  b.on('partition.assigned', ({ partition }) => void bAssigned.push(partition))
  await b.run({ topics: [topic], handler: handler('b') })
  await waitFor(() => [...seen.values()].some((who) => who.includes('b')), { what: 'the second member to process a record', timeoutMs: 60_000 })
  expect(bAssigned.length).toBeGreaterThan(0)
  // B leaves: its partitions go back to A while traffic goes on.
  await b.close()
  const handledBy = (member: string) => [...seen].filter(([k, who]) => who.includes(member) && bAssigned.includes(Number(k.split(':')[0]))).length
  const before = handledBy('a')
  await waitFor(() => handledBy('a') > before, { what: 'the first member to process the returned partitions again', timeoutMs: 60_000 })

  await stopProducing()
  const ends = await kafka.endOffsets(topic)
  const total = [...ends.values()].reduce((sum, end) => sum + Number(end), 0)
  await waitFor(() => seen.size === total, { what: `all ${total} records handled`, timeoutMs: 60_000 })
  await a.close()

  const twice = [...seen].filter(([, who]) => who.length > 1).map(([k, who]) => `${k} by ${who.join(',')}`)
  expect(twice).toEqual([])
  expect(byPartition(await kafka.committedOffsets(groupId, topic))).toEqual(byPartition(ends))
})
