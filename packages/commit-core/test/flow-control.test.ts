import { describe, expect, it, vi } from 'vitest'
import { FlowControl, InFlightBound, type FlowControlDeps } from '../src/flow-control.js'
import type { PartitionState } from '../src/partition-state.js'
import type { TopicPartition } from '../src/topic-partition.js'
import { memoryLogger } from './harness.js'
import { partition, tracked } from './part-fixtures.js'

describe('InFlightBound', () => {
  it('goes over at the limit and comes back only at half of it', () => {
    const bound = new InFlightBound(4)
    expect(bound.isOver(false, 3)).toBe(false)
    expect(bound.isOver(false, 4)).toBe(true)
    expect(bound.isOver(true, 3)).toBe(true)
    expect(bound.isOver(true, 2)).toBe(false)
  })

  it('never goes over an infinite bound', () => {
    expect(new InFlightBound(Number.POSITIVE_INFINITY).isOver(false, 1e9)).toBe(false)
  })
})

function flow(over: Partial<FlowControlDeps<string>> = {}, partitions: PartitionState<string>[] = []) {
  const pauses: TopicPartition[][] = []
  const resumes: TopicPartition[][] = []
  const events: string[] = []
  const logger = memoryLogger()
  let closing = false
  const control = new FlowControl<string>({
    port: { pause: (ps) => void pauses.push([...ps]), resume: (ps) => void resumes.push([...ps]) },
    logger,
    maxInFlight: 100,
    maxInFlightPerPartition: 4,
    emit: (event) => void events.push(event),
    owned: () => partitions,
    lookup: (p) => partitions.find((s) => s.topic === p.topic && s.partition === p.partition),
    closing: () => closing,
    ...over,
  })
  return { control, pauses, resumes, events, logger, close: () => (closing = true) }
}

/** Tracks `n` records of `state` through flow control. */
function fill(control: FlowControl<string>, state: PartitionState<string>, from: number, n: number) {
  const entries = []
  for (let i = from; i < from + n; i++) {
    entries.push(tracked(state, i))
    control.tracked(state)
  }
  return entries
}

describe('FlowControl', () => {
  it('pauses a partition at its bound and resumes it at half', () => {
    const p0 = partition()
    const { control, pauses, resumes, events } = flow({}, [p0])
    const entries = fill(control, p0, 0, 4)
    control.apply()
    expect(pauses).toEqual([[{ topic: 't', partition: 0 }]])
    expect(control.inFlight).toBe(4)
    p0.tracker.complete(entries[0]!)
    control.done(p0)
    control.apply()
    expect(resumes).toEqual([])
    p0.tracker.complete(entries[1]!)
    control.done(p0)
    control.apply()
    expect(resumes).toEqual([[{ topic: 't', partition: 0 }]])
    expect(events).toEqual(['partitions.paused', 'partitions.resumed'])
  })

  it('pauses every active partition at the global bound, under the same rule', () => {
    const p0 = partition('t', 0)
    const p1 = partition('t', 1)
    const { control, pauses, resumes } = flow({ maxInFlight: 4, maxInFlightPerPartition: 100 }, [p0, p1])
    const entries = fill(control, p0, 0, 4)
    control.apply()
    expect(pauses).toEqual([[{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]])
    expect(control.hasCapacity(undefined)).toBe(false)
    for (const e of entries.slice(0, 2)) {
      p0.tracker.complete(e)
      control.done(p0)
    }
    control.apply()
    expect(resumes).toEqual([[{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]])
  })

  it('forgetting a partition lifts the global bound', () => {
    const p0 = partition()
    const { control } = flow({ maxInFlight: 2 }, [p0])
    fill(control, p0, 0, 2)
    expect(control.hasCapacity(undefined)).toBe(false)
    control.forget(p0)
    expect(control.inFlight).toBe(0)
    expect(control.hasCapacity(undefined)).toBe(true)
  })

  it('pauses stopped partitions and leaves partitions that are no longer active alone', () => {
    const p0 = partition('t', 0)
    const p1 = partition('t', 1)
    p0.stopped = true
    p1.stopped = true
    p1.phase = 'draining'
    const { control, pauses } = flow({}, [p0, p1])
    control.changed(p0)
    control.changed(p1)
    control.apply()
    expect(pauses).toEqual([[{ topic: 't', partition: 0 }]])
    expect(p1.paused).toBe(false)
  })

  it('a reset partition is under its bound again; a dropped one is not looked at', () => {
    const p0 = partition()
    const { control, pauses, resumes } = flow({}, [p0])
    fill(control, p0, 0, 4)
    control.apply()
    control.reset(p0)
    control.apply()
    expect(resumes).toHaveLength(1)
    p0.stopped = true
    control.changed(p0)
    control.drop(p0)
    control.apply()
    expect(pauses).toHaveLength(1)
  })

  it('logs a port call that throws or rejects, and still emits the intent', async () => {
    const { control, logger, events } = flow({
      port: {
        pause: () => {
          throw new Error('boom')
        },
        resume: () => Promise.reject(new Error('later')),
      },
    })
    control.callPort('pause', [{ topic: 't', partition: 0 }])
    control.callPort('resume', [{ topic: 't', partition: 0 }])
    await Promise.resolve()
    expect(logger.lines).toEqual([
      { level: 'error', message: 'port.pause failed' },
      { level: 'error', message: 'port.resume failed' },
    ])
    expect(events).toEqual(['partitions.paused', 'partitions.resumed'])
  })

  it('capacity waiters resolve when their partition (or the consumer) drops below its bound', async () => {
    const p0 = partition()
    const { control } = flow({}, [p0])
    const entries = fill(control, p0, 0, 4)
    const resolved = vi.fn()
    void control.whenCapacity({ topic: 't', partition: 0 }).then(resolved)
    await expect(control.whenCapacity({ topic: 't', partition: 9 })).resolves.toBeUndefined()
    control.notify()
    await Promise.resolve()
    expect(resolved).not.toHaveBeenCalled()
    for (const e of entries.slice(0, 2)) {
      p0.tracker.complete(e)
      control.done(p0)
    }
    control.notify()
    await Promise.resolve()
    expect(resolved).toHaveBeenCalled()
  })

  it('close resolves every waiter; a closing engine has capacity', async () => {
    const p0 = partition()
    const { control, close } = flow({ maxInFlight: 1 }, [p0])
    fill(control, p0, 0, 1)
    const waiting = control.whenCapacity(undefined)
    control.close()
    await expect(waiting).resolves.toBeUndefined()
    close()
    expect(control.hasCapacity(undefined)).toBe(true)
  })

  it('a stopped partition over its bound has capacity: nothing more arrives for it', () => {
    const p0 = partition()
    const { control } = flow({}, [p0])
    fill(control, p0, 0, 4)
    expect(control.hasCapacity(p0)).toBe(false)
    p0.stopped = true
    expect(control.hasCapacity(p0)).toBe(true)
  })
})
