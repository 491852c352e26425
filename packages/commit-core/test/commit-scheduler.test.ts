import { describe, expect, it } from 'vitest'
import type { CommitEntry } from '../src/client-port.js'
import { CommitScheduler, type CommitSchedulerDeps } from '../src/commit-scheduler.js'
import { resolveCommitPolicy, type CommitPolicyOption } from '../src/commit-policy.js'
import type { PartitionState } from '../src/partition-state.js'
import { FakeClock } from '@offsetkit/commit-core/testing'
import { memoryLogger } from './harness.js'
import { partition, tracked } from './part-fixtures.js'

function scheduler(policy: CommitPolicyOption, partitions: PartitionState<string>[] = [], over: Partial<CommitSchedulerDeps<string>> = {}) {
  const clock = new FakeClock(1_000)
  const logger = memoryLogger()
  const requests: Array<{ sync: boolean; hold: PartitionState<string> | undefined }> = []
  const stored: CommitEntry[][] = []
  const dispatchable: PartitionState<string>[] = []
  let reconciles = 0
  let closing = false
  const s = new CommitScheduler<string>({
    clock,
    logger,
    policy: resolveCommitPolicy(policy),
    port: { capabilities: { leaderEpoch: false, commitMetadata: false, transactions: false }, storeOffsets: (entries) => void stored.push([...entries]) },
    requestCommit: (sync, hold) => void requests.push({ sync, hold }),
    owned: () => partitions,
    dispatchable: (state) => void dispatchable.push(state),
    closing: () => closing,
    reconcile: () => void reconciles++,
    ...over,
  })
  return { s, clock, logger, requests, stored, dispatchable, reconciles: () => reconciles, close: () => (closing = true) }
}

describe('CommitScheduler', () => {
  it('asks for an async commit every N records', () => {
    const p0 = partition()
    const { s, requests } = scheduler({ every: 2 }, [p0])
    s.recordDone(p0, true)
    expect(requests).toEqual([])
    s.recordDone(p0, true)
    expect(requests).toEqual([{ sync: false, hold: undefined }])
  })

  it('holds the partition for a sync decision until its holds are lifted', () => {
    const p0 = partition()
    const { s, requests, dispatchable, reconciles } = scheduler('per-message', [p0])
    s.recordDone(p0, true)
    expect(requests).toEqual([{ sync: true, hold: p0 }])
    expect(p0.syncHolds).toBe(1)
    expect(p0.canDispatch()).toBe(false)
    s.liftSyncHolds([p0])
    expect(p0.syncHolds).toBe(0)
    expect(dispatchable).toEqual([p0])
    expect(reconciles()).toBe(1)
  })

  it('a sync decision without a partition holds every active one, or none', () => {
    const p0 = partition('t', 0)
    const p1 = partition('t', 1)
    p1.phase = 'draining'
    const { s, requests } = scheduler({ decide: () => 'sync' }, [p0, p1])
    s.decide('batch-end', undefined)
    expect(requests).toEqual([{ sync: true, hold: p0 }])
    const alone = scheduler({ decide: () => 'sync' })
    alone.s.decide('batch-end', undefined)
    expect(alone.requests).toEqual([{ sync: true, hold: undefined }])
  })

  it('logs a policy that throws or answers something unknown, and does not commit', () => {
    const throwing = scheduler(() => {
      throw new Error('bad policy')
    })
    throwing.s.decide('batch-end', undefined)
    const odd = scheduler(() => 'maybe' as never)
    odd.s.decide('batch-end', undefined)
    expect(throwing.requests).toEqual([])
    expect(odd.requests).toEqual([])
    expect(throwing.logger.lines.map((l) => l.message)).toEqual(['commit policy threw; not committing'])
    expect(odd.logger.lines.map((l) => l.message)).toEqual(["commit policy returned an unknown decision; expected 'none', 'async' or 'sync'"])
  })

  it('gives a policy that ignores time on records NaN there, and the time everywhere else', () => {
    const seen: number[] = []
    const decide = (_state: unknown, now: number) => {
      seen.push(now)
      return 'none' as const
    }
    const { s } = scheduler('manual', [], { policy: { kind: 'custom', tickMs: undefined, timeOnRecord: false, decide } })
    s.decide('record', undefined)
    s.decide('batch-end', undefined)
    const timed = scheduler({ decide })
    timed.s.decide('record', undefined)
    expect(seen).toEqual([Number.NaN, 1_000, 1_000])
  })

  it('a manual commit resets what the policy counts', () => {
    const p0 = partition()
    const { s, requests, clock } = scheduler({ every: 2 }, [p0])
    s.recordDone(p0, true)
    clock.advance(10)
    s.committedByHand()
    s.recordDone(p0, true)
    expect(requests).toEqual([])
  })

  it('arms the tick for a time policy, commits on it, and re-arms only when something is pending', () => {
    const p0 = partition()
    const { s, clock, requests, reconciles } = scheduler({ interval: 100 }, [p0])
    s.armTick()
    expect(clock.pendingTimers).toBe(0)
    s.recordDone(p0, true)
    s.armTick()
    s.armTick()
    expect(clock.pendingTimers).toBe(1)
    clock.advance(100)
    expect(requests).toEqual([{ sync: false, hold: undefined }])
    expect(reconciles()).toBe(1)
    s.armTick()
    expect(clock.pendingTimers).toBe(0)
  })

  it('does not arm the tick while closing, and stop() cancels it', () => {
    const p0 = partition()
    const { s, clock, close } = scheduler({ interval: 100 }, [p0])
    s.recordDone(p0, true)
    s.armTick()
    s.stop()
    expect(clock.pendingTimers).toBe(0)
    close()
    s.armTick()
    expect(clock.pendingTimers).toBe(0)
  })

  it("stores moved watermarks for the client's auto commit, once per round, and forgets released partitions", () => {
    const p0 = partition('t', 0)
    const p1 = partition('t', 1)
    const { s, stored, logger } = scheduler('auto', [p0, p1])
    p0.tracker.complete(tracked(p0, 0))
    s.watermarkMoved(p0)
    s.watermarkMoved(p0)
    s.watermarkMoved(p1)
    s.forget(p1)
    s.storeOffsets()
    s.storeOffsets()
    expect(stored).toEqual([[{ topic: 't', partition: 0, offset: 1n }]])
    expect(logger.lines).toEqual([])
  })

  it('logs a store that throws or rejects', async () => {
    const p0 = partition()
    const port = { capabilities: { leaderEpoch: false, commitMetadata: false, transactions: false } }
    const throwing = scheduler('auto', [p0], {
      port: {
        ...port,
        storeOffsets: () => {
          throw new Error('x')
        },
      },
    })
    throwing.s.watermarkMoved(p0)
    throwing.s.storeOffsets()
    const rejecting = scheduler('auto', [p0], { port: { ...port, storeOffsets: () => Promise.reject(new Error('y')) } })
    rejecting.s.watermarkMoved(p0)
    rejecting.s.storeOffsets()
    await Promise.resolve()
    expect(throwing.logger.lines.map((l) => l.message)).toEqual(['port.storeOffsets failed'])
    expect(rejecting.logger.lines.map((l) => l.message)).toEqual(['port.storeOffsets failed'])
  })
})
