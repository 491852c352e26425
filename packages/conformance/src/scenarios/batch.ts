import type { ConsumedRecord } from '@offsetkit/commit-core'
import { waitFor } from '@offsetkit/broker'
import { LONG, key, type SuiteContext } from '../suite-context.js'

/**
 * 12. The batch handler (`run({ batchHandler })`): every record exactly once in batches of one
 * partition in offset order, a failed batch retried as a whole, and committed offsets (read back
 * from the broker) at the log end.
 */
export function registerBatch(ctx: SuiteContext): void {
  const { api: { it, expect }, factory, expectCommitted, open } = ctx
  it('12. batch handler: one partition per batch, in order; a failed batch is retried whole; committed = end offsets', async () => {
    const partitions = 3
    const perPartition = 200
    const topic = await ctx.harness.createTopic({ prefix: 'batch', partitions })
    const groupId = ctx.harness.name('batch')
    await ctx.harness.produceCount(topic, partitions * perPartition, partitions)
    const consumer = await factory.createConsumer({
      bootstrapServers: ctx.harness.bootstrapServers,
      groupId,
      offsetkit: { commit: { every: 50 }, failure: { retries: 1, backoff: { initialMs: 10, maxMs: 10 } } },
      groupProtocol: ctx.protocol,
    })
    open.push(consumer)
    const processed: ConsumedRecord[] = []
    const problems: string[] = []
    let failedOnce: string | undefined
    const attempts = new Map<string, number>()
    await consumer.run({
      topics: [topic],
      batchHandler: async (batch, context) => {
        const span = `${batch.partition}:${batch.firstOffset}-${batch.lastOffset}`
        if (batch.records.length === 0) problems.push(`${span}: empty`)
        if (batch.records[0]?.offset !== batch.firstOffset || batch.records.at(-1)?.offset !== batch.lastOffset) problems.push(`${span}: first/last do not match its records`)
        for (const [i, record] of batch.records.entries()) {
          if (record.topic !== batch.topic || record.partition !== batch.partition) problems.push(`${span}: holds ${record.partition}@${record.offset}`)
          if (i > 0 && record.offset <= (batch.records[i - 1] as ConsumedRecord).offset) problems.push(`${span}: out of order at ${record.offset}`)
        }
        attempts.set(span, context.attempt)
        // The first batch that holds offset 100 of its partition fails once: it must come back whole.
        if (failedOnce === undefined && batch.firstOffset <= 100n && batch.lastOffset >= 100n) {
          failedOnce = span
          throw new Error('first attempt fails')
        }
        processed.push(...batch.records)
      },
    })
    await waitFor(() => processed.length >= partitions * perPartition, { what: `${partitions * perPartition} records processed`, timeoutMs: 120_000 })
    await expectCommitted(groupId, topic, new Map(Array.from({ length: partitions }, (_, p) => [p, BigInt(perPartition)])), 'committed = end offsets')
    expect(problems).toEqual([])
    // Exactly once each (one consumer, no rebalance): the failed batch's records came back with its retry only.
    const keys = processed.map((r) => key(r.partition, r.offset))
    expect(new Set(keys).size).toBe(keys.length)
    expect(keys.length).toBe(partitions * perPartition)
    expect(failedOnce).toBeDefined()
    expect(attempts.get(failedOnce as string)).toBe(2)
    open.splice(open.indexOf(consumer), 1)
    await consumer.close()
  }, LONG)
}
