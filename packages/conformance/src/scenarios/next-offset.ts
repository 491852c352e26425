import { waitFor } from '@offsetkit/broker'
import { LONG, type SuiteContext } from '../suite-context.js'

/** 1. Commit = next offset: the broker holds the offset of the next record to read. */
export function registerNextOffset(ctx: SuiteContext): void {
  const { api: { it, expect }, consume, expectCommitted } = ctx
  it('1. commits the NEXT offset: 10 records processed → committed offset 10', async () => {
    const topic = await ctx.harness.createTopic()
    const groupId = ctx.harness.name('g1')
    await ctx.harness.produceCount(topic, 10)
    const c = await consume(topic, groupId, { commit: 'per-message' })
    await waitFor(() => c.processed.length === 10, { what: '10 records processed' })
    await expectCommitted(groupId, topic, new Map([[0, 10n]]), 'committed offset 10')
    await c.close()
    expect((await ctx.harness.committedOffsets(groupId, topic)).get(0)).toBe(10n)
  }, LONG)
}
