import type { GroupStalledPartition } from '@offsetkit/commit-core'
import { waitFor } from '@offsetkit/broker'
import { LONG, type SuiteContext } from '../suite-context.js'

/**
 * 10. A partition that no member moves cannot hide: another member of the group owns it and is
 * stuck, so this consumer — which does not own it — reports it (`group.partition.stalled`,
 * `health().groupStalled`), and says it flows once it gets the partition itself.
 */
export function registerGroupLiveness(ctx: SuiteContext): void {
  const { api: { it, expect }, consume, expectCommitted, factory } = ctx
  const capable = factory.capabilities.groupLiveness ?? true
  const name = '10. group liveness: a partition another member owns and never moves is reported by this one; it flows once this one owns it'
  if (capable !== true) {
    it.skip(`${name}: declared gap — ${capable}`, async () => undefined)
    return
  }
  it(name, async () => {
    const topic = await ctx.harness.createTopic({ partitions: 2 })
    const groupId = ctx.harness.name('g10')
    await ctx.harness.produceCount(topic, 200, 2)
    // The stuck member: its handler never settles, so it commits nothing on what it owns.
    const stuck = await consume(topic, groupId, { commit: { every: 1, interval: 100 }, drainTimeoutMs: 500 }, () => new Promise(() => undefined), { fastRebalance: true })
    await waitFor(() => stuck.consumer.health().inFlight > 0, { what: 'the stuck member holds a record', timeoutMs: 60_000 })
    const stalled: GroupStalledPartition[] = []
    const flowing: number[] = []
    const watcher = await consume(topic, groupId, { commit: { every: 1, interval: 100 }, liveness: { groupStallMs: 3_000 } }, undefined, { fastRebalance: true })
    watcher.consumer.on('group.partition.stalled', ({ partitions }) => stalled.push(...partitions))
    watcher.consumer.on('group.partition.flowing', ({ partitions }) => flowing.push(...partitions.map((p) => p.partition)))
    // Each member ends up with one partition.
    const ownedBy = (c: typeof stuck) => c.consumer.stats().partitions.filter((p) => p.status === 'active').map((p) => p.partition)
    await waitFor(() => ownedBy(watcher).length === 1 && ownedBy(stuck).length === 1, { what: 'one partition each', timeoutMs: 90_000 })
    const [held] = ownedBy(stuck)
    const [mine] = ownedBy(watcher)
    await waitFor(() => stalled.some((p) => p.partition === held), { what: `partition ${held} reported as group-stalled by the member that does not own it`, timeoutMs: 60_000 })
    expect(stalled.every((p) => p.partition === held && p.topic === topic)).toBe(true)
    expect(stalled[0]?.endOffset).toBe(100n)
    expect(stalled[0]?.committed).toBeLessThan(100n)
    const health = watcher.consumer.health()
    expect(health.status).toBe('degraded')
    expect(health.groupStalled.map((p) => p.partition)).toEqual([held])
    expect(health.stalled).toEqual([])
    // Its own partition moved: committed = end, and it was never reported.
    await expectCommitted(groupId, topic, new Map([[mine!, 100n]]), `the watcher's own partition ${mine} committed to its end`)
    // The stuck member leaves: the watcher takes the partition, drains it, and says it flows.
    await stuck.close()
    await waitFor(() => flowing.includes(held!), { what: `partition ${held} flows again`, timeoutMs: 90_000 })
    await expectCommitted(groupId, topic, new Map([[0, 100n], [1, 100n]]), 'both partitions committed to their ends')
    await waitFor(() => watcher.consumer.health().groupStalled.length === 0, { what: 'no group-stalled partition left', timeoutMs: 30_000 })
    await watcher.close()
  }, LONG)
}
