import { runCrashLoop } from '../crash-loop.js'
import type { SuiteContext } from '../suite-context.js'

/** 4. SIGKILL and restart: at least once, duplicates within the commit window. */
export function registerCrash(ctx: SuiteContext): void {
  const { api: { expect }, options, protocol, expectCommitted } = ctx
  ctx.longIt('4. crash (SIGKILL, several times) → restart: every record at least once, duplicates within the commit window', async () => {
    const topic = await ctx.harness.createTopic({ partitions: 3 })
    const groupId = ctx.harness.name('g4')
    const total = 3000
    await ctx.harness.produceCount(topic, total, 3)
    const every = 50
    const result = await runCrashLoop({
      factoryModule: options.factoryModule,
      bootstrapServers: ctx.harness.bootstrapServers,
      groupProtocol: protocol,
      topic,
      groupId,
      total,
      killAfter: [300, 1200, 2100],
      offsetkit: { commit: { every, interval: 60_000 } },
      workMs: 1,
    })
    const distinct = new Set(result.lines)
    expect(distinct.size).toBe(total)
    const duplicates = result.lines.length - distinct.size
    expect(result.kills).toBe(3)
    // A restart redoes exactly what the broker's committed offsets did not cover at the kill,
    // never anything below them (read back from the broker after each kill).
    expect(duplicates).toBeLessThanOrEqual(result.uncommittedAtKill.reduce((a, b) => a + b, 0))
    // And commits kept pace: per kill, fewer than `every` done records since the last
    // acknowledged commit, those finishing while it was in flight (one window more), and on a
    // loaded machine up to two more for a slow round trip. Kills are ~900 records apart: a
    // commit path that stopped committing would leave hundreds here.
    for (const uncommitted of result.uncommittedAtKill) expect(uncommitted).toBeLessThanOrEqual(4 * every)
    await expectCommitted(groupId, topic, await ctx.harness.endOffsets(topic), 'final commit at the end offsets')
  }, 300_000, (p) => p === 'consumer') // classic runs it in every pnpm test
}
