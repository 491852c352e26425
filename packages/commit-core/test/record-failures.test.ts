import { describe, expect, it } from 'vitest'
import { resolveFailurePolicy, type FailurePolicyOption } from '../src/failure-policy.js'
import type { Lane, PartitionState, TrackedEntry } from '../src/partition-state.js'
import { RecordFailures, type LaneSlots, type RecordFailuresDeps } from '../src/record-failures.js'
import { FakeClock } from '@offsetkit/commit-core/testing'
import { memoryLogger, tick } from './harness.js'
import { partition, tracked } from './part-fixtures.js'

function failures(policy: FailurePolicyOption, partitions: PartitionState<string>[] = [], over: Partial<RecordFailuresDeps<string>> = {}) {
  const clock = new FakeClock()
  const logger = memoryLogger()
  const calls: string[] = []
  const events: Array<{ event: string; payload: unknown }> = []
  const lanes: LaneSlots<string> = {
    leave: (entry) => {
      entry.lane.active--
      calls.push(`leave ${entry.offset}`)
    },
    giveBack: (lane: Lane<string>) => void calls.push(`giveBack ${lane.queue.size}`),
    requeue: (entry) => {
      entry.lane.active--
      calls.push(`requeue ${entry.offset}`)
    },
    runStarted: (state) => void state.running++,
    runEnded: (state) => void state.running--,
  }
  const f = new RecordFailures<string>({
    clock,
    logger,
    failure: resolveFailurePolicy(policy),
    port: {},
    transactional: false,
    lanes,
    emit: (event, payload) => void events.push({ event, payload }),
    finish: (entry) => void calls.push(`finish ${entry.offset}`),
    stopped: (state) => void calls.push(`stopped ${state.partition}`),
    owned: () => partitions,
    reconcile: () => void calls.push('reconcile'),
    ...over,
  })
  return { f, clock, logger, calls, events, names: () => events.map((e) => e.event) }
}

/** An entry whose handler ran and failed: it occupies its lane. */
function running(state: PartitionState<string>, offset: number): TrackedEntry<string> {
  const entry = tracked(state, offset)
  entry.lane.active++
  entry.attempt++
  return entry
}

describe('RecordFailures', () => {
  it('retries after the backoff, keeping the lane occupied meanwhile', () => {
    const p0 = partition()
    const { f, clock, calls, names } = failures({ retries: 1, backoff: { initialMs: 50, maxMs: 50 }, then: 'skip' }, [p0])
    const entry = running(p0, 0)
    f.failed(entry, new Error('x'))
    expect(names()).toEqual(['record.failed'])
    expect(f.retrying).toBe(1)
    expect(entry.lane.active).toBe(1)
    clock.advance(50)
    expect(f.retrying).toBe(0)
    expect(calls).toEqual(['requeue 0', 'reconcile'])
  })

  it('skips a record once retries are spent: it counts as done', () => {
    const p0 = partition()
    const { f, calls, names, logger } = failures({ retries: 0, then: 'skip' }, [p0])
    f.failed(running(p0, 0), new Error('x'))
    expect(names()).toEqual(['record.failed', 'record.skipped'])
    expect(calls).toEqual(['leave 0', 'finish 0', 'giveBack 0'])
    expect(logger.lines.map((l) => l.message)).toEqual(['record failed'])
  })

  it('abandons a failure of a partition that no longer accepts records', () => {
    const p0 = partition()
    p0.phase = 'draining'
    const { f, calls, events } = failures({ retries: 0, then: 'skip' }, [p0])
    f.failed(running(p0, 0), new Error('x'))
    expect(calls).toEqual(['leave 0', 'giveBack 0'])
    expect(events).toMatchObject([{ event: 'record.failed', payload: { action: 'abandon' } }])
  })

  it('stops the partition, and with stop-consumer every active partition', () => {
    const p0 = partition('t', 0)
    const p1 = partition('t', 1)
    const p2 = partition('t', 2)
    p2.phase = 'fenced'
    const { f, calls, names } = failures({ retries: 0, then: 'stop-consumer' }, [p0, p1, p2])
    f.failed(running(p0, 0), new Error('x'))
    expect(calls).toEqual(['leave 0', 'stopped 0', 'stopped 1'])
    expect([p0.stopped, p1.stopped, p2.stopped]).toEqual([true, true, false])
    expect(f.consumerStopped).toBe(true)
    expect(names()).toEqual(['record.failed', 'partition.stopped', 'consumer.stopped'])
  })

  it('stops only what is not stopped yet, and reports the partition either way', () => {
    const p0 = partition('t', 0)
    const p1 = partition('t', 1)
    p1.stopped = true
    const { f, calls, names } = failures({ retries: 0, then: 'stop-consumer' }, [p0, p1])
    f.failed(running(p0, 0), new Error('x'))
    expect(calls).toEqual(['leave 0', 'stopped 0'])
    expect(names()).toEqual(['record.failed', 'partition.stopped', 'consumer.stopped'])
  })

  it('dead-letters a record, counts the produce as running, and finishes it', async () => {
    const p0 = partition()
    const produced: bigint[] = []
    const { f, calls, names } = failures({ retries: 0, then: 'dead-letter' }, [p0], {
      port: { deadLetter: async (record) => void produced.push(record.offset) },
    })
    let drained = 0
    p0.drained = () => void drained++
    f.failed(running(p0, 0), new Error('x'))
    expect(p0.running).toBe(1)
    await tick()
    expect(produced).toEqual([0n])
    expect(p0.running).toBe(0)
    expect(drained).toBe(1)
    expect(calls).toEqual(['leave 0', 'finish 0', 'giveBack 0', 'reconcile'])
    expect(names()).toEqual(['record.failed', 'record.dead-lettered'])
  })

  it('stops the partition when the dead-letter produce fails or throws', async () => {
    const p0 = partition('t', 0)
    const p1 = partition('t', 1)
    const rejecting = failures({ retries: 0, then: 'dead-letter' }, [p0], { port: { deadLetter: () => Promise.reject(new Error('dlq down')) } })
    rejecting.f.failed(running(p0, 0), new Error('x'))
    const throwing = failures({ retries: 0, then: 'dead-letter' }, [p1], {
      port: {
        deadLetter: () => {
          throw new Error('sync')
        },
      },
    })
    throwing.f.failed(running(p1, 0), new Error('x'))
    await tick()
    expect(p0.stopped && p1.stopped).toBe(true)
    expect(rejecting.events.at(-1)).toMatchObject({ event: 'partition.stopped', payload: { error: { code: 'DEAD_LETTER_FAILED' } } })
    expect(throwing.logger.lines.map((l) => l.message)).toContain('dead-letter produce failed; stopping the partition')
  })

  it('drops the dead-letter outcome of an entry whose partition was fenced meanwhile', async () => {
    const p0 = partition()
    const { f, calls } = failures({ retries: 0, then: 'dead-letter' }, [p0], { port: { deadLetter: async () => {} } })
    f.failed(running(p0, 0), new Error('x'))
    p0.phase = 'fenced'
    await tick()
    expect(calls).toEqual(['leave 0', 'giveBack 0', 'reconcile'])
  })

  it('cancels pending retries: their entries leave their lanes and no timer fires', () => {
    const p0 = partition()
    const { f, clock, calls } = failures({ retries: 3, then: 'skip' }, [p0])
    const entry = running(p0, 0)
    f.failed(entry, new Error('x'))
    f.cancelRetries(p0)
    expect(f.retrying).toBe(0)
    expect(entry.lane.active).toBe(0)
    clock.advance(60_000)
    expect(calls).toEqual(['leave 0'])
  })

  it('does not retry when the retry predicate throws, and retries at once when the backoff throws', () => {
    const p0 = partition()
    const predicate = failures(
      {
        retries: () => {
          throw new Error('p')
        },
        then: 'skip',
      },
      [p0],
    )
    predicate.f.failed(running(p0, 0), new Error('x'))
    expect(predicate.names()).toEqual(['record.failed', 'record.skipped'])
    expect(predicate.logger.lines.map((l) => l.message)).toContain('failure.retries threw; not retrying')
    const backoff = failures(
      {
        retries: 1,
        backoff: () => {
          throw new Error('b')
        },
        then: 'skip',
      },
      [p0],
    )
    backoff.f.failed(running(p0, 1), new Error('x'))
    expect(backoff.f.retrying).toBe(1)
    backoff.clock.advance(0)
    expect(backoff.f.retrying).toBe(0)
  })
})
