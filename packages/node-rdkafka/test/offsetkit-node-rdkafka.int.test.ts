import { describe, expect, it } from 'vitest'
import { waitFor } from '@offsetkit/broker'
import type { CommitRequest, CommitError } from '@offsetkit/commit-core'
import { byPartition, group, harness, newConsumer } from './node-rdkafka-test-kit.js'

describe('offsetkitNodeRdkafka against a real broker', () => {
  it('3 partitions × 300 records with commit every 100: committed offsets read back equal the end offsets', async () => {
    const kafka = harness()
    const topic = await kafka.createTopic({ partitions: 3, prefix: 'rdk-every' })
    await kafka.produceCount(topic, 900, 3)
    const groupId = group()
    const consumer = newConsumer(groupId, { commit: { every: 100 } })
    const commits: CommitRequest[] = []
    const failures: CommitError[] = []
    consumer.on('commit.succeeded', ({ request }) => commits.push(request))
    consumer.on('commit.failed', ({ error }) => failures.push(error))
    let handled = 0
    await consumer.run({ topics: [topic], handler: () => { handled++ } })

    const ends = byPartition(await kafka.endOffsets(topic))
    expect(ends).toEqual({ 0: '300', 1: '300', 2: '300' })
    // Before close: the policy itself must have committed everything (900 is a multiple of 100).
    await waitFor(async () => JSON.stringify(byPartition(await kafka.committedOffsets(groupId, topic))) === JSON.stringify(ends), {
      what: 'committed offsets to reach the end offsets',
    })
    // Policy commits are async (commit() + the matching 'offset.commit' event), and acknowledged.
    expect(commits.some((r) => !r.sync && r.reason === 'policy')).toBe(true)
    await consumer.close()
    expect(handled).toBe(900)
    expect(failures).toEqual([])
    expect(byPartition(await kafka.committedOffsets(groupId, topic))).toEqual(ends)
  })

  it('cooperative-sticky: when a second member joins, the first commits the partitions it gives away before releasing them', async () => {
    const kafka = harness()
    const topic = await kafka.createTopic({ partitions: 6, prefix: 'rdk-revoke' })
    await kafka.produceCount(topic, 600, 6)
    const groupId = group()
    const cooperative = { 'partition.assignment.strategy': 'cooperative-sticky' } as const
    // 'manual': nothing commits but revoke and close, so what the broker holds came from the revoke.
    const first = newConsumer(groupId, { commit: 'manual' }, cooperative)
    const revoked: Array<{ partition: number; committed: bigint | undefined }> = []
    first.on('partition.revoked', ({ partition, committed }) => revoked.push({ partition, committed }))
    let firstHandled = 0
    await first.run({ topics: [topic], handler: () => { firstHandled++ } })
    await waitFor(() => firstHandled === 600, { what: 'the first member to process all 600 records' })
    expect(byPartition(await kafka.committedOffsets(groupId, topic))).toEqual({ 0: undefined, 1: undefined, 2: undefined, 3: undefined, 4: undefined, 5: undefined })

    const second = newConsumer(groupId, { commit: 'manual' }, cooperative)
    let secondHandled = 0
    await second.run({ topics: [topic], handler: () => { secondHandled++ } })
    await waitFor(() => revoked.length === 3, { what: 'three partitions to move to the second member', timeoutMs: 60_000 })
    const committed = await kafka.committedOffsets(groupId, topic)
    for (const { partition, committed: reported } of revoked) {
      expect(reported).toBe(100n)
      expect(committed.get(partition)).toBe(100n)
    }
    // The second member starts at the committed offsets: nothing is replayed.
    await waitFor(() => second.stats().partitions.length === 3, { what: 'the second member to own three partitions' })
    await second.commit()
    expect(secondHandled).toBe(0)
    await Promise.all([first.close(), second.close()])
    expect(byPartition(await kafka.committedOffsets(groupId, topic))).toEqual(byPartition(await kafka.endOffsets(topic)))
  })

  it("commit: 'per-message' commits every record synchronously, each one acknowledged by the broker", async () => {
    const kafka = harness()
    const topic = await kafka.createTopic({ partitions: 1, prefix: 'rdk-per-message' })
    await kafka.produceCount(topic, 200, 1)
    const groupId = group()
    const consumer = newConsumer(groupId, { commit: 'per-message' })
    const commits: CommitRequest[] = []
    consumer.on('commit.succeeded', ({ request }) => commits.push(request))
    const committedWhenHandled: bigint[] = []
    let handled = 0
    await consumer.run({
      topics: [topic],
      handler: (record) => {
        // The previous record's commit was acknowledged before this one was dispatched.
        committedWhenHandled.push(consumer.stats().partitions[0]?.lastCommitted ?? 0n)
        expect(record.offset).toBe(BigInt(handled))
        handled++
      },
    })
    await waitFor(async () => (await kafka.committedOffsets(groupId, topic)).get(0) === 200n, { what: 'offset 200 committed' })
    await consumer.close()
    expect(handled).toBe(200)
    expect(committedWhenHandled).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i)))
    expect(commits.filter((r) => r.reason === 'policy')).toHaveLength(200)
    expect(commits.every((r) => r.sync)).toBe(true)
  })

  it("a handler failure with failure: { retries: 1, then: 'skip' } is retried once, skipped, and committed past", async () => {
    const kafka = harness()
    const topic = await kafka.createTopic({ partitions: 1, prefix: 'rdk-skip' })
    await kafka.produceCount(topic, 10, 1)
    const groupId = group()
    const consumer = newConsumer(groupId, { commit: 'per-message', failure: { retries: 1, then: 'skip', backoff: { initialMs: 1, maxMs: 1, factor: 1 } } })
    const failed: Array<{ offset: bigint; attempt: number; action: string }> = []
    const skipped: bigint[] = []
    consumer.on('record.failed', ({ record, attempt, action }) => failed.push({ offset: record.offset, attempt, action }))
    consumer.on('record.skipped', ({ record }) => skipped.push(record.offset))
    const done: bigint[] = []
    await consumer.run({
      topics: [topic],
      handler: (record) => {
        if (record.offset === 3n) throw new Error('poison')
        done.push(record.offset)
      },
    })
    await waitFor(async () => (await kafka.committedOffsets(groupId, topic)).get(0) === 10n, { what: 'offset 10 committed' })
    await consumer.close()
    expect(failed).toEqual([{ offset: 3n, attempt: 1, action: 'retry' }, { offset: 3n, attempt: 2, action: 'skip' }])
    expect(skipped).toEqual([3n])
    expect(done).toEqual([0n, 1n, 2n, 4n, 5n, 6n, 7n, 8n, 9n])
  })

  it('a transactional topic ending in an aborted transaction drains to the end offset (markers and aborted records are gaps)', async () => {
    const kafka = harness()
    const topic = await kafka.createTopic({ partitions: 1, prefix: 'rdk-txn' })
    const batch = (n: number) => Array.from({ length: 5 }, (_, i) => ({ value: `b${n}-${i}`, partition: 0 }))
    await kafka.produceTransactional(topic, [batch(0), batch(1), batch(2)], new Set([1, 2]))
    const end = (await kafka.endOffsets(topic)).get(0)
    // 5 committed records + marker, then 2 × (5 aborted records + marker).
    expect(end).toBe(18n)
    const groupId = group()
    const consumer = newConsumer(groupId, { commit: 'batch' })
    const values: string[] = []
    await consumer.run({ topics: [topic], handler: (record) => { values.push(Buffer.from(record.value ?? []).toString()) } })
    await waitFor(async () => (await kafka.committedOffsets(groupId, topic)).get(0) === end, { what: `offset ${end} committed` })
    await consumer.close()
    expect(values).toEqual(['b0-0', 'b0-1', 'b0-2', 'b0-3', 'b0-4'])
  })
})
