import { waitFor } from '@offsetkit/broker'
import { LONG, type SuiteContext } from '../suite-context.js'

/** 8. Offset gaps (transaction markers, aborted records, compaction) never stall the watermark. */
export function registerGaps(ctx: SuiteContext): void {
  const { api: { describe, it, expect }, consume, expectCommitted, factory } = ctx
  describe('8. offset gaps never stall the watermark', () => {
    const trailing = factory.capabilities.trailingMarker ?? true
    if (trailing !== true) it.skip(`transaction marker at the very end of the log: declared gap — ${trailing}`, async () => undefined)

    it(`transactional topic with aborted transactions drains to the end offset${trailing === true ? '' : ' (a record after the last marker)'}`, async () => {
      const topic = await ctx.harness.createTopic()
      const groupId = ctx.harness.name('g8t')
      const batches = Array.from({ length: 6 }, (_, b) => Array.from({ length: 10 }, (_, i) => ({ value: `${b}-${i}`, partition: 0 })))
      await ctx.harness.produceTransactional(topic, batches, new Set([1, 4]))
      // With the gap declared, markers stay inside the log: a plain record follows the last one.
      if (trailing !== true) await ctx.harness.produce(topic, [{ value: 'after', partition: 0 }])
      const end = (await ctx.harness.endOffsets(topic)).get(0)!
      expect(end).toBe(66n + (trailing === true ? 0n : 1n)) // 6 × (10 records + marker)
      const c = await consume(topic, groupId, { commit: { every: 1000, interval: 200 } })
      await expectCommitted(groupId, topic, new Map([[0, end]]), `committed = end offset ${end} (markers and aborted records skipped)`)
      expect(c.processed).toHaveLength(trailing === true ? 40 : 41)
      expect(c.processed.some((r) => /^(1|4)-/.test(Buffer.from(r.value!).toString()))).toBe(false)
      await c.close()
    }, LONG)

    const interleaved = factory.capabilities.interleavedAborts ?? true
    if (interleaved !== true) it.skip(`aborted transactions of several producers overlapping: ${interleaved}`, async () => undefined)
    else it('aborted transactions of several producers overlapping: no aborted record is processed, the commit reaches the end', async () => {
      const topic = await ctx.harness.createTopic({ partitions: 1 })
      const groupId = ctx.harness.name('g8i')
      await ctx.harness.produceInterleavedAborts(topic)
      const end = (await ctx.harness.endOffsets(topic)).get(0)!
      const c = await consume(topic, groupId, { commit: { every: 1000, interval: 200 } })
      await expectCommitted(groupId, topic, new Map([[0, end]]), `committed = end offset ${end}`)
      expect(c.processed.map((r) => Buffer.from(r.value!).toString()).sort()).toEqual(['c1', 'c2'])
      await c.close()
    }, LONG)

    it('compacted topic drains to the end offset', async () => {
      const topic = await ctx.harness.createTopic({
        configs: { 'cleanup.policy': 'compact', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.001', 'min.compaction.lag.ms': '0', 'delete.retention.ms': '100' },
      })
      const groupId = ctx.harness.name('g8c')
      const produced = 200
      for (let round = 0; round < 4; round++) {
        await ctx.harness.produce(topic, Array.from({ length: produced / 4 }, (_, i) => ({ key: `k${i % 5}`, value: `${round}-${i}`, partition: 0 })))
        await new Promise((resolve) => setTimeout(resolve, 150)) // let segment.ms roll the segment
      }
      // Wait until the cleaner has removed superseded records (gaps inside the log).
      await waitFor(async () => {
        await ctx.harness.produce(topic, [{ key: 'roll', value: 'roll', partition: 0 }])
        return (await ctx.harness.readToEnd(topic)).length < produced / 2
      }, { what: 'log compaction', timeoutMs: 90_000, intervalMs: 1000 })
      const end = (await ctx.harness.endOffsets(topic)).get(0)!
      const c = await consume(topic, groupId, { commit: { every: 1000, interval: 200 } })
      await expectCommitted(groupId, topic, new Map([[0, end]]), `committed = end offset ${end}`)
      expect(BigInt(c.processed.length)).toBeLessThan(end)
      await c.close()
    }, LONG)
  })
}
