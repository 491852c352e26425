import { describe, expect, it } from 'vitest'
import type { CommitEngineEvents } from '../src/commit-engine-events.js'
import { ConfigError } from '../src/config-error.js'
import { commitOffsetFromBigInt } from '../src/offset.js'
import { FakePort, ManualHandler, T, range, records, setup, tick } from './harness.js'

const P0 = { topic: T, partition: 0 }
const P1 = { topic: T, partition: 1 }
const at = (offset: number) => commitOffsetFromBigInt(BigInt(offset))

function collect<K extends keyof CommitEngineEvents<string>>(
  engine: ReturnType<typeof setup>['engine'],
  event: K,
): Array<CommitEngineEvents<string>[K]> {
  const seen: Array<CommitEngineEvents<string>[K]> = []
  engine.on(event, (payload) => seen.push(payload))
  return seen
}

describe('commit liveness', () => {
  // Defect B's shape: every commit fails as "fenced" within a millisecond, processing goes on,
  // and nothing ever said so.
  it('fenced commits that no revoke, loss or rejoin follows become commit.stalled after the bound', async () => {
    const port = new FakePort()
    const { engine, clock, logger } = setup({ commit: { every: 1 }, liveness: { commitStallMs: 10_000 } }, port)
    const stalled = collect(engine, 'commit.stalled')
    engine.assigned([P0])
    for (const offset of range(0, 20)) {
      port.failures.push('fenced')
      engine.recordsArrived(records(T, 0, [offset]))
      await tick()
      await clock.advanceAsync(1_000)
    }
    expect(stalled).toHaveLength(1)
    expect(stalled[0]?.partitions).toMatchObject([{ topic: T, partition: 0, reason: 'fenced', committed: undefined }])
    expect(stalled[0]?.partitions[0]?.watermark).toBeGreaterThanOrEqual(10n)
    expect(stalled[0]?.partitions[0]?.sinceMs).toBeGreaterThanOrEqual(10_000)
    expect(stalled[0]?.lastError?.code).toBe('FENCED')
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.startsWith('commits stalled'))).toBe(true)
    expect(engine.stats().partitions[0]?.stalled).toBe(true)
    expect(engine.health()).toMatchObject({ status: 'degraded', stalled: [{ partition: 0, reason: 'fenced' }] })
  })

  it('stays quiet while commits fail for less than the bound, and says when they flow again', async () => {
    const port = new FakePort()
    const { engine, clock } = setup({ commit: { every: 1 }, liveness: { commitStallMs: 5_000 }, commitRetry: { retries: 0 } }, port)
    const stalled = collect(engine, 'commit.stalled')
    const recovered = collect(engine, 'commit.recovered')
    engine.assigned([P0])
    port.failures.push('fatal')
    engine.recordsArrived(records(T, 0, [0]))
    await tick()
    await clock.advanceAsync(4_000)
    expect(stalled).toHaveLength(0)
    port.failures.push('fatal')
    engine.recordsArrived(records(T, 0, [1]))
    await tick()
    await clock.advanceAsync(2_000)
    expect(stalled).toHaveLength(1)
    expect(stalled[0]?.partitions[0]?.reason).toBe('commits-failing')
    engine.recordsArrived(records(T, 0, [2]))
    await tick()
    await clock.advanceAsync(2_000)
    expect(port.committed(T, 0)).toBe(3n)
    expect(recovered).toEqual([{ partitions: [P0] }])
    expect(engine.health().status).toBe('ok')
  })

  it('a commit that never settles is a stall (commit-hung)', async () => {
    const port = new FakePort()
    port.autoReply = false
    const { engine, clock } = setup({ commit: { every: 1 }, liveness: { commitStallMs: 3_000 } }, port)
    const stalled = collect(engine, 'commit.stalled')
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    await tick()
    await clock.advanceAsync(3_500)
    expect(stalled[0]?.partitions).toMatchObject([{ partition: 0, reason: 'commit-hung' }])
    port.answer('ok')
    await tick()
    expect(engine.stats().partitions[0]?.stalled).toBe(false)
  })

  it('a partition that is revoked or lost is no longer stalled', async () => {
    const port = new FakePort()
    const { engine, clock } = setup({ commit: { every: 1 }, liveness: { commitStallMs: 1_000 } }, port)
    const recovered = collect(engine, 'commit.recovered')
    engine.assigned([P0])
    port.failures.push('fenced')
    engine.recordsArrived(records(T, 0, [0]))
    await tick()
    await clock.advanceAsync(2_000)
    expect(engine.health().stalled).toHaveLength(1)
    engine.lost([P0])
    await clock.advanceAsync(1_000)
    expect(recovered).toEqual([{ partitions: [P0] }])
    expect(engine.health().stalled).toHaveLength(0)
  })

  it('policies that do not commit are not stalls, and an idle engine holds no timer', async () => {
    const { engine, clock } = setup({ commit: 'manual', liveness: { commitStallMs: 1_000 } })
    const stalled = collect(engine, 'commit.stalled')
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1, 2]))
    await tick()
    await clock.advanceAsync(60_000)
    expect(stalled).toHaveLength(0)
    expect(clock.pendingTimers).toBe(0)
  })
})

describe('partition liveness (starvation)', () => {
  // Defect A's shape: one owned partition with a backlog delivers nothing while the others flow.
  it('an owned partition with records to read that delivers nothing is reported; one without records is not', async () => {
    const { engine, clock, logger } = setup({ commit: 'manual', liveness: { starvationMs: 10_000 } })
    const starved = collect(engine, 'partition.starved')
    const flowing = collect(engine, 'partition.flowing')
    engine.assigned([{ ...P0, position: at(0) }, { ...P1, position: at(0) }, { topic: T, partition: 2, position: at(5) }])
    engine.endOffsetsKnown([{ ...P0, offset: at(100) }, { ...P1, offset: at(100) }, { topic: T, partition: 2, offset: at(5) }])
    for (let i = 0; i < 12; i++) {
      engine.recordsArrived(records(T, 0, [i]))
      await clock.advanceAsync(1_000)
    }
    expect(starved).toHaveLength(1)
    expect(starved[0]?.partitions).toEqual([{ topic: T, partition: 1, epoch: 2, silentMs: expect.any(Number), position: 0n, endOffset: 100n, reason: 'records-waiting' }])
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.startsWith('partitions deliver nothing'))).toBe(true)
    expect(engine.stats().partitions.map((p) => p.starved)).toEqual([false, true, false])
    expect(engine.health().status).toBe('degraded')
    engine.recordsArrived(records(T, 1, [0]))
    await clock.advanceAsync(3_000)
    expect(flowing).toEqual([{ partitions: [P1] }])
    expect(engine.health().starved).toEqual([])
  })

  // Exactly defect A: assigned without a known position, never one record delivered.
  it('asks the port where a silent partition starts and ends: one never consumed is reported', async () => {
    const port = new FakePort()
    const asked: string[] = []
    ;(port as FakePort & { queryEndOffsets: unknown }).queryEndOffsets = async (partitions: readonly { topic: string; partition: number }[]) => {
      asked.push(...partitions.map((p) => `${p.topic}/${p.partition}`))
      return partitions.map((p) => (p.partition === 0 ? { ...p, end: at(50), start: at(0) } : { ...p, end: at(7), start: at(7) }))
    }
    const { engine, clock } = setup({ commit: 'manual', liveness: { starvationMs: 4_000 } }, port)
    const starved = collect(engine, 'partition.starved')
    engine.assigned([P0, P1])
    await clock.advanceAsync(5_000)
    expect(asked).toEqual(['t/0', 't/1'])
    await clock.advanceAsync(1_000)
    expect(starved.flatMap((e) => e.partitions)).toMatchObject([{ partition: 0, position: 0n, endOffset: 50n }])
    // The one without lag is asked again once per bound (its log may grow); the starved one is not.
    await clock.advanceAsync(4_000)
    expect(asked).toEqual(['t/0', 't/1', 't/1'])
  })

  // Seen in \`pnpm validate\` (broker-freeze × confluent × KIP-848): after the thaw one client could
  // not reach any broker for minutes; its partitions delivered nothing and nothing said so.
  it('a silent partition whose log end cannot be learned (the query fails) is starved as log-end-unknown, until the broker answers', async () => {
    const port = new FakePort()
    let reachable = false
    ;(port as FakePort & { queryEndOffsets: unknown }).queryEndOffsets = async (partitions: readonly { topic: string; partition: number }[]) => {
      if (!reachable) throw new Error('Local: Timed out')
      return partitions.map((p) => ({ ...p, end: at(0), start: at(0) }))
    }
    const { engine, clock, logger } = setup({ commit: 'manual', liveness: { starvationMs: 4_000 } }, port)
    const starved = collect(engine, 'partition.starved')
    const flowing = collect(engine, 'partition.flowing')
    engine.assigned([P0])
    await clock.advanceAsync(7_000)
    expect(starved.flatMap((e) => e.partitions)).toEqual([{ topic: T, partition: 0, epoch: expect.any(Number), silentMs: expect.any(Number), position: undefined, endOffset: undefined, reason: 'log-end-unknown' }])
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.includes('cannot reach the cluster'))).toBe(true)
    expect(engine.health().status).toBe('degraded')
    reachable = true
    await clock.advanceAsync(6_000)
    expect(flowing).toEqual([{ partitions: [P0] }])
    expect(engine.health().starved).toEqual([])
    expect(starved).toHaveLength(1)
  })

  it('a partition paused by flow control or stopped by the failure policy is not starved', async () => {
    const h = new ManualHandler()
    const { engine, clock } = setup({ handler: h.handle, commit: 'manual', maxInFlightPerPartition: 2, liveness: { starvationMs: 2_000 } })
    const starved = collect(engine, 'partition.starved')
    engine.assigned([{ ...P0, position: at(0) }])
    engine.endOffsetsKnown([{ ...P0, offset: at(100) }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    await clock.advanceAsync(10_000)
    expect(engine.stats().partitions[0]?.paused).toBe(true)
    expect(starved).toHaveLength(0)
  })
})

describe('group liveness', () => {
  /** A port that answers the group check from `rows` (what the broker would say now). */
  function groupPort(rows: Map<number, { start?: number; end: number }>) {
    const port = new FakePort()
    let asked = 0
    ;(port as FakePort & { queryGroupOffsets: unknown }).queryGroupOffsets = async () => {
      asked++
      return [...rows].map(([partition, { start, end }]) => ({ topic: T, partition, end: at(end), ...(start !== undefined && { start: at(start) }) }))
    }
    return { port, asked: () => asked }
  }

  // The KIP-848 shape seen with librdkafka 2.15.1: the broker counts a partition as some member's,
  // that member never got it, no member consumes it and none owns it here.
  it('a partition this consumer does not own, with lag and a committed offset that does not move, is reported; moving and caught-up ones are not', async () => {
    const rows = new Map([[0, { start: 10, end: 50 }], [1, { start: 20, end: 90 }], [2, { start: 7, end: 7 }], [3, { end: 40 }]])
    const { port } = groupPort(rows)
    const { engine, clock, logger } = setup({ commit: { every: 1 }, liveness: { groupStallMs: 8_000 } }, port)
    const stalled = collect(engine, 'group.partition.stalled')
    const flowing = collect(engine, 'group.partition.flowing')
    let commits = 20
    // Another member commits partition 1 now and then, all along.
    const advance = async (ms: number) => {
      for (let t = 0; t < ms; t += 2_000) {
        rows.set(1, { start: ++commits, end: 90 })
        await clock.advanceAsync(2_000)
      }
    }
    engine.assigned([P0])
    // P0 is this consumer's (the owned checks watch it), 1 moves, 2 has no lag, 3's coordinator did not answer.
    await advance(22_000)
    expect(stalled).toHaveLength(0)
    await engine.revoked([P0])
    rows.set(0, { start: 12, end: 60 })
    await advance(12_000)
    expect(stalled.flatMap((e) => e.partitions)).toEqual([{ topic: T, partition: 0, committed: 12n, endOffset: 60n, sinceMs: expect.any(Number) }])
    expect(stalled[0]?.partitions[0]?.sinceMs).toBeGreaterThanOrEqual(8_000)
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.startsWith('partitions of the group make no progress'))).toBe(true)
    expect(engine.health()).toMatchObject({ status: 'degraded', groupStalled: [{ partition: 0 }] })
    // Reported once; then it moves again.
    await advance(10_000)
    expect(stalled).toHaveLength(1)
    rows.set(0, { start: 13, end: 60 })
    await advance(4_000)
    expect(flowing).toEqual([{ partitions: [P0] }])
    expect(engine.health()).toMatchObject({ status: 'ok', groupStalled: [] })
  })

  it('a group-stalled partition that this consumer is then given flows (the owned checks take over)', async () => {
    const rows = new Map([[1, { start: 0, end: 30 }]])
    const { port } = groupPort(rows)
    const { engine, clock } = setup({ commit: { every: 1 }, liveness: { groupStallMs: 4_000 } }, port)
    const stalled = collect(engine, 'group.partition.stalled')
    const flowing = collect(engine, 'group.partition.flowing')
    await clock.advanceAsync(6_000)
    expect(stalled.flatMap((e) => e.partitions)).toMatchObject([{ partition: 1 }])
    engine.assigned([P1])
    await clock.advanceAsync(2_000)
    expect(flowing).toEqual([{ partitions: [P1] }])
  })

  it('a port that throws instead of rejecting (client not connected) is asked again later, the timer survives', async () => {
    const port = new FakePort()
    let calls = 0
    ;(port as FakePort & { queryGroupOffsets: unknown }).queryGroupOffsets = () => {
      calls++
      throw new Error('not connected')
    }
    const { clock, logger } = setup({ commit: { every: 1 }, liveness: { groupStallMs: 4_000 } }, port)
    await clock.advanceAsync(10_000)
    expect(calls).toBeGreaterThanOrEqual(8)
    expect(logger.lines.some((l) => l.message === 'group offsets query failed')).toBe(true)
  })

  it('is off with commit none (nothing moves the committed offsets), and asks once per quarter bound', async () => {
    const off = groupPort(new Map([[1, { start: 0, end: 30 }]]))
    const quiet = setup({ commit: 'none', liveness: { groupStallMs: 4_000 } }, off.port)
    await quiet.clock.advanceAsync(20_000)
    expect(off.asked()).toBe(0)
    expect(quiet.clock.pendingTimers).toBe(0)
    const on = groupPort(new Map([[1, { start: 0, end: 30 }]]))
    const { clock } = setup({ commit: { every: 1 }, liveness: { groupStallMs: 4_000 } }, on.port)
    await clock.advanceAsync(20_000)
    expect(on.asked()).toBeGreaterThanOrEqual(16)
    expect(on.asked()).toBeLessThanOrEqual(21)
  })
})

describe('client failures and health', () => {
  it('a client that dies is failed in health(); one that restarts is degraded until it is assigned again', () => {
    const { engine, logger } = setup()
    const failures = collect(engine, 'client.failed')
    expect(engine.health()).toMatchObject({ status: 'ok', reasons: [], ownedPartitions: 0, lastCommitAgeMs: undefined })
    engine.clientFailed(new Error('coordinator not available'), { restarting: true })
    expect(engine.health()).toMatchObject({ status: 'degraded', reasons: [expect.stringContaining('restarting')] })
    engine.assigned([P0])
    expect(engine.health().status).toBe('ok')
    engine.clientFailed(new Error('broken'), { restarting: false })
    expect(engine.health()).toMatchObject({ status: 'failed', reasons: [expect.stringContaining('does not restart: broken')] })
    expect(failures.map((f) => f.restarting)).toEqual([true, false])
    expect(logger.lines.map((l) => l.level)).toEqual(['warn', 'error'])
  })

  it('health() reports the oldest in-flight record and the age of the last acknowledged commit', async () => {
    const h = new ManualHandler()
    const { engine, clock } = setup({ handler: h.handle, commit: 'manual' })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1]))
    await clock.advanceAsync(700)
    h.call(0).reply.resolve()
    await tick()
    await engine.commit()
    await clock.advanceAsync(300)
    expect(engine.health()).toMatchObject({ status: 'ok', ownedPartitions: 1, inFlight: 1, oldestInFlightAgeMs: 1_000, lastCommitAgeMs: 300 })
  })

  it('rejects bad liveness options before anything runs, naming the field', () => {
    expect(() => setup({ liveness: { commitStallMs: -1 } })).toThrow(ConfigError)
    expect(() => setup({ liveness: { commitStallMs: -1 } })).toThrow(/liveness\.commitStallMs/)
    expect(() => setup({ liveness: { onStall: 'explode' as 'warn' } })).toThrow(/liveness\.onStall.*'warn', 'close'/)
    expect(() => setup({ liveness: { stallMs: 1 } as never })).toThrow(/liveness\.stallMs/)
    expect(() => setup({ liveness: { groupStallMs: 1.5 } })).toThrow(/liveness\.groupStallMs/)
  })
})
