// The adapter against a real broker. Committed offsets are always read back from the broker
// (KafkaHarness uses kafkajs' admin, so the verifier is not the client under test).
import { KafkaJS } from '@confluentinc/kafka-javascript'
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest'
import { uniqueName, waitFor } from '@offsetkit/broker'
import type { CommitRequest, OffsetkitConsumer } from '@offsetkit/commit-core'
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

type Config = KafkaJS.ConsumerConstructorConfig

function consumer(groupId: string, options: ConfluentOffsetkitOptions, extra: Partial<KafkaJS.ConsumerConfig> = {}, topLevel: Partial<Config> = {}): OffsetkitConsumer<KafkaJS.KafkaMessage> {
  const c = offsetkitConfluent(kafka, { kafkaJS: { groupId, fromBeginning: true, sessionTimeout: 10_000, ...extra }, ...topLevel }, options)
  onTestFinished(() => c.close().catch(() => undefined))
  return c
}

const noneCommitted = async (groupId: string, topic: string): Promise<boolean> =>
  [...(await harness.committedOffsets(groupId, topic)).values()].every((offset) => offset === undefined)

const committedEqualsEnd = async (groupId: string, topic: string): Promise<Map<number, bigint | undefined>> => {
  const ends = await harness.endOffsets(topic)
  return waitFor(async () => {
    const committed = await harness.committedOffsets(groupId, topic)
    return [...ends].every(([p, end]) => committed.get(p) === end) ? committed : undefined
  }, { what: `committed offsets of ${groupId} to reach the end offsets ${JSON.stringify([...ends].map(([p, e]) => [p, String(e)]))}` })
}

describe('offsetkitConfluent', () => {
  it('every-N policy: 3 partitions x 400 records, committed offsets equal the end offsets, with the leader epoch', async () => {
    const topic = await harness.createTopic({ partitions: 3, prefix: 'ck-everyn' })
    await harness.produceCount(topic, 1200, 3)
    const groupId = uniqueName('ck-everyn')
    const seen = new Set<string>()
    const requests: CommitRequest[] = []
    const c = consumer(groupId, { commit: { every: 100 } })
    c.on('commit.succeeded', ({ request }) => requests.push(request))
    await c.run({ topics: [topic], handler: (r) => void seen.add(`${r.partition}:${r.offset}`) })
    await waitFor(() => seen.size === 1200, { what: '1,200 records handled' })
    const committed = await committedEqualsEnd(groupId, topic)
    expect([...committed.values()].map(String).sort()).toEqual(['400', '400', '400'])
    // The policy committed along the way, not only on close, and carried the leader epoch.
    expect(requests.length).toBeGreaterThan(1)
    expect(requests.every((r) => r.offsets.every((o) => o.leaderEpoch === 0))).toBe(true)
    // The KafkaJS admin's fetchOffsets reports leader epoch 0 as null (`leaderEpoch || null`), so
    // read the committed epochs through a same-group consumer's committed(), which keeps the number.
    const reader = kafka.consumer({ kafkaJS: { groupId } })
    await reader.connect()
    onTestFinished(() => reader.disconnect())
    const rows = await reader.committed([0, 1, 2].map((partition) => ({ topic, partition })), 10_000)
    expect(rows.map((r) => [r.offset, (r as { leaderEpoch?: number }).leaderEpoch])).toEqual([['400', 0], ['400', 0], ['400', 0]])
  })

  it('cooperative-sticky: partitions moving to a second member are committed by the first, which keeps the rest', async () => {
    const topic = await harness.createTopic({ partitions: 4, prefix: 'ck-coop' })
    await harness.produceCount(topic, 400, 4)
    const groupId = uniqueName('ck-coop')
    const coop = { partitionAssigners: [KafkaJS.PartitionAssigners.cooperativeSticky] }
    let handled = 0
    const revoked: Array<{ partition: number; committed: bigint | undefined }> = []
    const lost: number[] = []
    // 'manual': nothing commits on its own, so whatever the broker holds came from revoke (or close).
    const first = consumer(groupId, { commit: 'manual' }, coop)
    first.on('partition.revoked', ({ partition, committed }) => revoked.push({ partition, committed }))
    first.on('partition.lost', ({ partition }) => lost.push(partition))
    await first.run({ topics: [topic], handler: () => void handled++ })
    await waitFor(() => handled === 400, { what: 'the first member to handle all 400 records' })
    expect(await noneCommitted(groupId, topic)).toBe(true)

    const second = consumer(groupId, { commit: 'manual' }, coop)
    await second.run({ topics: [topic], handler: () => undefined })
    await waitFor(() => revoked.length === 2, { what: 'two partitions revoked from the first member' })
    expect(lost).toEqual([])
    expect(revoked.every((r) => r.committed === 100n)).toBe(true)
    const committed = await harness.committedOffsets(groupId, topic)
    // Read back while both members run: exactly the moved partitions are committed.
    expect([...committed].filter(([, offset]) => offset !== undefined).sort()).toEqual(revoked.map((r) => [r.partition, 100n]).sort())
    // The partitions the first member kept stay its own (cooperative: no full revoke).
    expect(first.stats().partitions.map((p) => p.partition).sort()).toEqual(
      [0, 1, 2, 3].filter((p) => !revoked.some((r) => r.partition === p)),
    )
  })

  it('eager (round-robin): a second member joining revokes everything; the first commits all partitions before giving them up', async () => {
    const topic = await harness.createTopic({ partitions: 4, prefix: 'ck-eager' })
    await harness.produceCount(topic, 400, 4)
    const groupId = uniqueName('ck-eager')
    let handled = 0
    const revoked: Array<{ partition: number; committed: bigint | undefined }> = []
    const first = consumer(groupId, { commit: 'manual' })
    first.on('partition.revoked', ({ partition, committed }) => revoked.push({ partition, committed }))
    await first.run({ topics: [topic], handler: () => void handled++ })
    await waitFor(() => handled === 400, { what: 'the first member to handle all 400 records' })
    const second = consumer(groupId, { commit: 'manual' })
    await second.run({ topics: [topic], handler: () => undefined })
    await waitFor(() => revoked.length === 4, { what: 'all four partitions revoked from the first member' })
    expect(revoked.map((r) => r.committed)).toEqual([100n, 100n, 100n, 100n])
    await committedEqualsEnd(groupId, topic)
  })

  it("per-message sync: every record's commit is acknowledged by the broker before the next one runs", async () => {
    // One partition: per-message sync holds a partition (not the consumer) until its commit is
    // acknowledged, so with more partitions another partition's handler may rightly overlap.
    const topic = await harness.createTopic({ partitions: 1, prefix: 'ck-sync' })
    await harness.produceCount(topic, 30, 1)
    const groupId = uniqueName('ck-sync')
    const requests: CommitRequest[] = []
    let committing = 0
    let overlap = false
    let handled = 0
    const c = consumer(groupId, { commit: 'per-message' })
    c.on('commit.started', () => void committing++)
    c.on('commit.succeeded', ({ request }) => {
      committing--
      requests.push(request)
    })
    await c.run({
      topics: [topic],
      handler: () => {
        if (committing > 0) overlap = true
        handled++
      },
    })
    await waitFor(() => handled === 30, { what: '30 records handled' })
    await committedEqualsEnd(groupId, topic)
    expect(requests.every((r) => r.sync)).toBe(true)
    // Sync commits never coalesce past a record: one per record.
    expect(requests.length).toBe(30)
    expect(overlap).toBe(false)
  })

  it("a handler failure with failure { retries: 1, then: 'skip' } is retried once, skipped, and the partition moves past it", async () => {
    const topic = await harness.createTopic({ partitions: 1, prefix: 'ck-skip' })
    await harness.produceCount(topic, 10, 1)
    const groupId = uniqueName('ck-skip')
    const attempts = new Map<string, number>()
    const skipped: bigint[] = []
    const c = consumer(groupId, { commit: { every: 1 }, failure: { retries: 1, backoff: { initialMs: 1, maxMs: 1 }, then: 'skip' } })
    c.on('record.skipped', ({ record }) => skipped.push(record.offset))
    await c.run({
      topics: [topic],
      handler: (record) => {
        attempts.set(String(record.offset), (attempts.get(String(record.offset)) ?? 0) + 1)
        if (record.offset === 3n) throw new Error('poison record')
      },
    })
    await committedEqualsEnd(groupId, topic)
    expect(skipped).toEqual([3n])
    expect(attempts.get('3')).toBe(2)
    expect([...attempts.keys()].length).toBe(10)
  })

  it('transactional topic: after a full drain the committed offset reaches the end offset past markers and aborted records', async () => {
    const topic = await harness.createTopic({ partitions: 2, prefix: 'ck-txn' })
    const batch = (n: number, partition: number) => Array.from({ length: n }, (_, i) => ({ value: `v${i}`, partition }))
    // Aborted batch last on partition 0: its records and both markers are offsets nobody sees.
    await harness.produceTransactional(topic, [batch(5, 0), batch(3, 1), batch(4, 0), batch(2, 0)], new Set([3]))
    const groupId = uniqueName('ck-txn')
    let handled = 0
    const c = consumer(groupId, { commit: 'batch' })
    await c.run({ topics: [topic], handler: () => void handled++ })
    await waitFor(() => handled === 12, { what: '12 committed records handled' })
    const committed = await committedEqualsEnd(groupId, topic)
    // 5+1 marker, 4+1 marker, 2 aborted+1 marker = 14 on partition 0; 3+1 marker on partition 1.
    expect(committed).toEqual(new Map([[0, 14n], [1, 4n]]))
    expect(handled).toBe(12)
  })

  it('close() commits the final watermark before leaving the group', async () => {
    const topic = await harness.createTopic({ partitions: 2, prefix: 'ck-close' })
    await harness.produceCount(topic, 50, 2)
    const groupId = uniqueName('ck-close')
    let handled = 0
    const c = consumer(groupId, { commit: 'manual' })
    await c.run({ topics: [topic], handler: () => void handled++ })
    await waitFor(() => handled === 50, { what: '50 records handled' })
    expect(await noneCommitted(groupId, topic)).toBe(true)
    await c.close()
    // Read once, no polling: close() resolved, so the broker must already have it.
    expect(await harness.committedOffsets(groupId, topic)).toEqual(new Map([[0, 25n], [1, 25n]]))
  })

  it('dead-letters a failing record through the given producer, with the error headers, and moves past it', async () => {
    const topic = await harness.createTopic({ partitions: 1, prefix: 'ck-dlq' })
    const dlq = await harness.createTopic({ partitions: 1, prefix: 'ck-dlq-target' })
    await harness.produce(topic, [{ key: 'a', value: 'ok' }, { key: 'b', value: 'bad', headers: { h: '1' } }, { key: 'c', value: 'ok' }])
    const producer = kafka.producer()
    await producer.connect()
    onTestFinished(() => producer.disconnect())
    const groupId = uniqueName('ck-dlq')
    const c = consumer(groupId, { commit: { every: 1 }, failure: { retries: 0, then: 'dead-letter' }, deadLetter: { producer, topic: dlq } })
    await c.run({
      topics: [topic],
      handler: (record) => {
        if (Buffer.from(record.value ?? []).toString() === 'bad') throw new Error('cannot handle')
      },
    })
    await committedEqualsEnd(groupId, topic)
    const reader = kafka.consumer({ kafkaJS: { groupId: uniqueName('ck-dlq-reader'), fromBeginning: true } })
    await reader.connect()
    onTestFinished(() => reader.disconnect())
    await reader.subscribe({ topics: [dlq] })
    const dead: KafkaJS.KafkaMessage[] = []
    await reader.run({ eachMessage: async ({ message }) => void dead.push(message) })
    await waitFor(() => dead.length === 1, { what: 'one dead letter' })
    const headers = dead[0]?.headers ?? {}
    expect(dead[0]?.value?.toString()).toBe('bad')
    expect(String(headers['h'])).toBe('1')
    expect(String(headers['offsetkit.dlq.offset'])).toBe('1')
    expect(String(headers['offsetkit.dlq.error'])).toBe('cannot handle')
  })
})

describe('offsetkitConfluent backpressure', () => {
  it('pausing at the in-flight bound and resuming loses and repeats nothing (librdkafka resumes after the last record it handed over)', async () => {
    const topic = await harness.createTopic({ partitions: 2, prefix: 'ck-pause' })
    await harness.produceCount(topic, 600, 2)
    const groupId = uniqueName('ck-pause')
    const handled = new Map<string, number>()
    let paused = 0
    const c = consumer(groupId, { commit: { every: 50 }, maxInFlightPerPartition: 8, concurrency: 2 })
    c.on('partitions.paused', () => void paused++)
    await c.run({
      topics: [topic],
      handler: async (record) => {
        // Yield to the event loop so records pile up and the bound is hit.
        await new Promise((resolve) => setImmediate(resolve))
        const key = `${record.partition}:${record.offset}`
        handled.set(key, (handled.get(key) ?? 0) + 1)
      },
    })
    await committedEqualsEnd(groupId, topic)
    expect(paused).toBeGreaterThan(0)
    expect(handled.size).toBe(600)
    expect([...handled.values()].every((n) => n === 1)).toBe(true)
  })
})
