import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { waitFor } from '@offsetkit/broker'
import { forkConsumerChild, recordLines } from '../crash-loop.js'
import type { SuiteContext } from '../suite-context.js'

const PER_PARTITION = 10

/**
 * 11. A member frozen (SIGSTOP) past its session timeout while another member takes its
 * partitions processes nothing after the thaw: its client may still fetch the records produced
 * meanwhile, but offsetkit's membership probe (`liveness.membershipProbeMs`) holds them until a
 * commit is accepted, and the zombie's is refused. Without the probe the zombie processes them
 * again while their new owner already did (or does).
 */
export function registerZombie(ctx: SuiteContext): void {
  const { api: { expect }, options, protocol, consume, expectCommitted } = ctx
  ctx.longIt('11. zombie: a member frozen past its session processes nothing of the partitions it lost after the thaw', async () => {
    const topic = await ctx.harness.createTopic({ partitions: 2 })
    const groupId = ctx.harness.name('g11')
    await ctx.harness.produceCount(topic, 2 * PER_PARTITION, 2)
    const dir = mkdtempSync(join(tmpdir(), 'offsetkit-zombie-'))
    const recordFile = join(dir, 'zombie.log')
    const events: Array<{ event: string; partition?: number; outcome?: string }> = []
    let zombie: ChildProcess | undefined
    try {
      zombie = forkConsumerChild({
        factoryModule: options.factoryModule,
        bootstrapServers: ctx.harness.bootstrapServers,
        groupProtocol: protocol,
        topic,
        groupId,
        offsetkit: { commit: { every: 1, interval: 100 }, liveness: { membershipProbeMs: 2_000 } },
        workMs: 0,
        events: true,
      }, recordFile)
      let buffered = ''
      zombie.stdout?.on('data', (chunk: Buffer) => {
        const text = buffered + chunk.toString()
        const lines = text.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line) as (typeof events)[number])
      })
      const child = zombie
      await waitFor(() => recordLines(recordFile).length >= 2 * PER_PARTITION || child.exitCode !== null, { what: 'the first member processed the backlog', timeoutMs: 90_000 })
      expect(child.exitCode).toBeNull()
      await expectCommitted(groupId, topic, new Map([[0, BigInt(PER_PARTITION)], [1, BigInt(PER_PARTITION)]]), 'the first member committed the backlog')
      // Frozen: no heartbeat, no fetch. Records arrive meanwhile; the second member takes both
      // partitions once the group has removed the frozen one, and processes them.
      child.kill('SIGSTOP')
      await ctx.harness.produceCount(topic, 2 * PER_PARTITION, 2)
      const owner = await consume(topic, groupId, { commit: { every: 1, interval: 100 } }, undefined, { fastRebalance: true })
      const end = BigInt(2 * PER_PARTITION)
      await expectCommitted(groupId, topic, new Map([[0, end], [1, end]]), 'the second member took both partitions and committed them')
      const before = events.length
      child.kill('SIGCONT')
      // The thawed member learns it was removed: from the probe's answer, or its client reports the loss.
      const learned = () => events.slice(before).some((e) => e.event === 'partition.lost' || e.event === 'partition.revoked' || (e.event === 'membership.probed' && e.outcome === 'fenced'))
      await waitFor(() => learned() || child.exitCode !== null, { what: 'the thawed member learned it was removed from the group', timeoutMs: 60_000 })
      expect(child.exitCode).toBeNull()
      // Whatever it fetched after the thaw, it processed none of it: its record file holds only the
      // backlog it processed before the freeze (the new records are offsets 10..19 of each partition).
      const zombieRecords = recordLines(recordFile)
      expect(zombieRecords.filter((line) => Number(line.split(' ')[1]) >= PER_PARTITION)).toEqual([])
      expect(owner.processed.map((r) => `${r.partition} ${r.offset}`).sort()).toEqual(
        [0, 1].flatMap((p) => Array.from({ length: PER_PARTITION }, (_, i) => `${p} ${PER_PARTITION + i}`)).sort(),
      )
      await owner.close()
      child.kill('SIGTERM')
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, { what: 'the thawed member closed', timeoutMs: 60_000 })
      // Still nothing past the backlog, and the group's offsets stayed at the end.
      expect(recordLines(recordFile).filter((line) => Number(line.split(' ')[1]) >= PER_PARTITION)).toEqual([])
      await expectCommitted(groupId, topic, new Map([[0, end], [1, end]]), 'the committed offsets stayed at the end')
    } finally {
      if (zombie !== undefined && zombie.exitCode === null && zombie.signalCode === null) {
        zombie.kill('SIGCONT')
        zombie.kill('SIGKILL')
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }, 240_000, (p) => p === 'consumer') // classic runs it in every pnpm test
}
