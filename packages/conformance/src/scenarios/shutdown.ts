import { waitFor } from '@offsetkit/broker'
import { key, LONG, type SuiteContext } from '../suite-context.js'

/** 3. A graceful close commits everything done. */
export function registerShutdown(ctx: SuiteContext): void {
  const { api: { it, expect }, consume } = ctx
  it('3. graceful close commits everything done: the next member of the group reprocesses nothing', async () => {
    const topic = await ctx.harness.createTopic({ partitions: 3 })
    const groupId = ctx.harness.name('g3')
    await ctx.harness.produceCount(topic, 60, 3)
    const a = await consume(topic, groupId, { commit: { every: 1000, interval: 600_000 } })
    // Distinct records: a rebalance at A's start may redo a few (at-least-once), and a count that
    // overshoots would never equal 60.
    await waitFor(() => new Set(a.processed.map((r) => key(r.partition, r.offset))).size === 60, { what: 'A processed 60' })
    await a.close()
    const committed = await ctx.harness.committedOffsets(groupId, topic)
    expect([...committed].sort()).toEqual([[0, 20n], [1, 20n], [2, 20n]])
    await ctx.harness.produce(topic, [0, 1, 2].map((partition) => ({ value: 'sentinel', partition })))
    const b = await consume(topic, groupId, { commit: 'per-message' })
    await waitFor(() => b.processed.length >= 3, { what: 'B processed the 3 sentinels' })
    expect(b.processed.map((r) => Buffer.from(r.value!).toString())).toEqual(['sentinel', 'sentinel', 'sentinel'])
    await b.close()
  }, LONG)
}
