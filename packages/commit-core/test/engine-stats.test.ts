import { describe, expect, it } from 'vitest'
import { engineHealth, partitionStats, watchedPartitions, type LivenessView } from '../src/engine-stats.js'
import { commitOffsetFromBigInt } from '../src/offset.js'
import type { PartitionState } from '../src/partition-state.js'
import type { TopicPartition } from '../src/topic-partition.js'
import { setup, T } from './harness.js'
import { partition, tracked } from './part-fixtures.js'

function liveness(stalled: TopicPartition[] = [], starved: TopicPartition[] = [], groupStalled: TopicPartition[] = []): LivenessView {
  const has = (list: TopicPartition[], p: TopicPartition) => list.some((s) => s.topic === p.topic && s.partition === p.partition)
  return {
    isStalled: (p) => has(stalled, p),
    isStarved: (p) => has(starved, p),
    stalledPartitions: () => stalled.map((p) => ({ ...p, epoch: 1, reason: 'commits-failing', sinceMs: 0, committed: undefined, watermark: undefined })),
    starvedPartitions: () => starved.map((p) => ({ ...p, epoch: 1, silentMs: 0, position: commitOffsetFromBigInt(0n), endOffset: commitOffsetFromBigInt(1n), reason: 'records-waiting' as const })),
    groupStalledPartitions: () => groupStalled.map((p) => ({ ...p, committed: commitOffsetFromBigInt(3n), endOffset: commitOffsetFromBigInt(9n), sinceMs: 5 })),
  }
}

function owned(...states: PartitionState<string>[]) {
  return { size: states.length, values: () => states }
}

const base = { now: 1_000, liveness: liveness(), consumerStopped: false, clientFailure: undefined, inFlight: 0, lastCommitAckAt: undefined }

describe('partitionStats', () => {
  it('shows a draining or fenced partition as revoking, and ages from the clock', () => {
    const p0 = partition()
    tracked(p0, 0)
    p0.lastDeliveryAt = 400
    expect(partitionStats(p0, 1_000, liveness([p0]))).toMatchObject({ status: 'active', inFlight: 1, oldestInFlightAgeMs: 1_000, idleMs: 600, stalled: true, starved: false })
    p0.phase = 'fenced'
    expect(partitionStats(p0, 1_000, liveness()).status).toBe('revoking')
  })
})

describe('engineHealth', () => {
  it('is ok with nothing to report', () => {
    expect(engineHealth({ ...base, owned: owned(partition()) })).toEqual({
      status: 'ok',
      reasons: [],
      ownedPartitions: 1,
      inFlight: 0,
      oldestInFlightAgeMs: undefined,
      lastCommitAgeMs: undefined,
      stalled: [],
      starved: [],
      stopped: [],
      groupStalled: [],
    })
  })

  it('is degraded by stalled, starved or stopped partitions, with the oldest record across partitions', () => {
    const p0 = partition('t', 0)
    const p1 = partition('t', 1)
    const young = tracked(p0, 0)
    Object.assign(young, { arrivedAt: 900 })
    const old = tracked(p1, 0)
    Object.assign(old, { arrivedAt: 100 })
    p1.stopped = true
    const health = engineHealth({ ...base, owned: owned(p0, p1), liveness: liveness([p0], [p1]), lastCommitAckAt: 250 })
    expect(health.status).toBe('degraded')
    expect(health.reasons).toEqual([
      'commits stalled: t/0',
      'partitions deliver nothing although they have records: t/1',
      'partitions stopped by the failure policy: t/1',
    ])
    expect(health).toMatchObject({ oldestInFlightAgeMs: 900, lastCommitAgeMs: 750, stopped: [{ topic: 't', partition: 1 }] })
  })

  it('is degraded by group partitions that no member moves, which it lists apart from its own', () => {
    const health = engineHealth({ ...base, owned: owned(partition('t', 0)), liveness: liveness([], [], [{ topic: 't', partition: 2 }]) })
    expect(health.status).toBe('degraded')
    expect(health.reasons).toEqual(['partitions of the group make no progress and this consumer does not own them (a stuck member, or none given them): t/2'])
    expect(health).toMatchObject({ stalled: [], starved: [], groupStalled: [{ topic: 't', partition: 2, committed: 3n, endOffset: 9n }] })
  })

  it('is failed when the consumer stopped (its stopped partitions are not listed again) or the client died', () => {
    const p0 = partition()
    p0.stopped = true
    expect(engineHealth({ ...base, owned: owned(p0), consumerStopped: true })).toMatchObject({ status: 'failed', reasons: ['the failure policy stopped the consumer'] })
    const died = engineHealth({ ...base, owned: owned(), clientFailure: { error: 'socket closed', restarting: false } })
    expect(died).toMatchObject({ status: 'failed', reasons: ['the client failed and does not restart: socket closed'] })
    const restarting = engineHealth({ ...base, owned: owned(), clientFailure: { error: new Error('rejoining'), restarting: true } })
    expect(restarting).toMatchObject({ status: 'degraded', reasons: ['the client failed and is restarting: rejoining'] })
  })
})

describe('watchedPartitions', () => {
  it('shows active partitions only, and none expects records while closing', () => {
    const p0 = partition('t', 0)
    const p1 = partition('t', 1)
    p1.phase = 'draining'
    tracked(p0, 4)
    expect([...watchedPartitions([p0, p1], false)]).toMatchObject([{ partition: 0, position: 5n, expectsRecords: true }])
    expect([...watchedPartitions([p0], true)]).toMatchObject([{ expectsRecords: false }])
    expect([...watchedPartitions([partition('t', 2)], false)]).toMatchObject([{ position: 0n }])
  })
})

describe('health through the engine', () => {
  it('logs a client failure that is not an Error as its string', () => {
    const { engine, logger } = setup()
    engine.clientFailed('gone', { restarting: false })
    engine.assigned([{ topic: T, partition: 0 }])
    expect(logger.lines).toContainEqual({ level: 'error', message: 'the client failed and does not restart: nothing more will be consumed' })
    expect(engine.health()).toMatchObject({ status: 'failed', ownedPartitions: 1 })
  })

  it('ignores end offsets of a partition it does not own', () => {
    const { engine } = setup()
    engine.assigned([{ topic: T, partition: 0 }])
    engine.endOffsetsKnown([{ topic: T, partition: 9, offset: commitOffsetFromBigInt(10n) }])
    expect(engine.stats().partitions).toMatchObject([{ partition: 0, endOffset: undefined }])
  })
})
