import { type OffsetkitOptions } from '@offsetkit/commit-core'
import { waitFor } from '@offsetkit/broker'
import { key, type SuiteContext } from '../suite-context.js'

/** 7. A member joins mid-stream and leaves: nothing lost, duplicates bounded, no commit regresses. */
export function registerRebalance(ctx: SuiteContext): void {
  const { api: { it, expect }, consume, expectCommitted } = ctx
  it('7. rebalance: a member joins mid-stream and leaves; nothing lost, duplicates bounded, no commit regresses', async () => {
    const topic = await ctx.harness.createTopic({ partitions: 4 })
    const groupId = ctx.harness.name('g7')
    const total = 2000
    await ctx.harness.produceCount(topic, total, 4)
    const every = 10
    const policy: OffsetkitOptions = { commit: { every, interval: 200 } }
    const slow = () => new Promise((resolve) => setTimeout(resolve, 2))
    const regressions: string[] = []
    const last = new Map<number, bigint>()
    let watching = true
    const watcher = (async () => {
      while (watching) {
        // On a fresh broker the coordinator may still be loading: a read that fails is retried.
        const committed = await ctx.harness.committedOffsets(groupId, topic).catch(async (error: unknown) => {
          if ((error as { retriable?: unknown }).retriable !== true) throw error
          await new Promise((resolve) => setTimeout(resolve, 100))
          return new Map<number, bigint | undefined>()
        })
        for (const [partition, offset] of committed) {
          if (offset === undefined) continue
          const before = last.get(partition)
          if (before !== undefined && offset < before) regressions.push(`${partition}: ${before} → ${offset}`)
          last.set(partition, offset)
        }
      }
    })()
    const a = await consume(topic, groupId, policy, slow, { fastRebalance: true })
    await waitFor(() => a.processed.length >= 300, { what: 'A processed 300', timeoutMs: 60_000 })
    const b = await consume(topic, groupId, policy, slow, { fastRebalance: true })
    await waitFor(() => b.consumer.stats().partitions.length > 0, { what: 'B got partitions', timeoutMs: 90_000 })
    // Still mid-stream: more records arrive while both members consume.
    await ctx.harness.produceCount(topic, total, 4)
    await waitFor(() => b.processed.length >= 100, { what: 'B processed 100', timeoutMs: 90_000 })
    await b.close()
    const all = () => new Set([...a.processed, ...b.processed].map((r) => key(r.partition, r.offset)))
    await waitFor(() => all().size === 2 * total, { what: 'every record processed', timeoutMs: 120_000 })
    await expectCommitted(groupId, topic, await ctx.harness.endOffsets(topic), 'final offsets committed')
    watching = false
    await watcher
    const duplicates = a.processed.length + b.processed.length - 2 * total
    // Two rebalances; per partition at most the uncommitted done records (< every, or one
    // interval's worth) plus the running one can be redone.
    expect(duplicates).toBeLessThanOrEqual(2 * 4 * (every + 1) + 200)
    expect(regressions).toEqual([])
    await a.close()
  }, 300_000)
}
