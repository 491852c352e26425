import { waitFor } from '@offsetkit/broker'
import { key, LONG, type SuiteContext } from '../suite-context.js'

/** 5. Out-of-order completion never lets the committed offset pass an unfinished record. */
export function registerOrdering(ctx: SuiteContext): void {
  const { api: { it, expect }, consume, expectCommitted } = ctx
  for (const ordering of ['unordered', 'key'] as const) {
    it(`5. out-of-order completion (${ordering}): the committed offset never passes an unfinished record`, async () => {
      const topic = await ctx.harness.createTopic({ partitions: 3 })
      const groupId = ctx.harness.name(`g5-${ordering}`)
      const total = 600
      await ctx.harness.produce(topic, Array.from({ length: total }, (_, i) => ({ key: `k${i % 7}`, value: String(i), partition: i % 3 })))
      const done = new Set<string>()
      const violations: string[] = []
      const c = await consume(topic, groupId, { commit: { every: 10, interval: 50 }, ordering, concurrency: 32 }, async (record) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 15)) // simulated I/O, random completion order
        done.add(key(record.partition, record.offset))
      })
      // Read commits back from the broker while records complete out of order.
      let watching = true
      const watcher = (async () => {
        while (watching) {
          const committed = await ctx.harness.committedOffsets(groupId, topic)
          // The commit was sent before this read and `done` only grows: every record below a
          // committed offset must be in it now.
          for (const [partition, offset] of committed) {
            for (let o = 0n; offset !== undefined && o < offset; o++) {
              if (!done.has(key(partition, o))) violations.push(`${partition}:${o} < ${offset}`)
            }
          }
        }
      })()
      // Distinct records: at-least-once may redo a few after a rebalance (KIP-848 fences a commit
      // sent with a stale member epoch), and a count that overshoots would never equal `total`.
      await waitFor(() => new Set(c.processed.map((r) => key(r.partition, r.offset))).size === total, {
        what: 'every record processed',
        timeoutMs: 120_000,
      })
      await expectCommitted(groupId, topic, await ctx.harness.endOffsets(topic), 'everything eventually committed')
      watching = false
      await watcher
      expect(violations.slice(0, 5)).toEqual([])
      await c.close()
    }, LONG)
  }
}
