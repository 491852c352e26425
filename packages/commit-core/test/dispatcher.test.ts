import { describe, expect, it } from 'vitest'
import type { RecordHandler } from '../src/commit-engine-options.js'
import { Dispatcher, laneKey, type DispatcherDeps } from '../src/dispatcher.js'
import { TrackedEntry, type Lane, type PartitionState } from '../src/partition-state.js'
import { ManualHandler, record, tick } from './harness.js'
import { partition } from './part-fixtures.js'

describe('laneKey', () => {
  it('keeps string keys, byte keys and no key apart', () => {
    const keys = [laneKey(undefined), laneKey(null), laneKey('a'), laneKey(new Uint8Array([97])), laneKey('')]
    expect(keys[0]).toBe(keys[1])
    expect(new Set(keys).size).toBe(4)
    expect(laneKey(new Uint8Array([0, 255]))).toBe(laneKey(new Uint8Array([0, 255])))
  })
})

function dispatcher(handler: RecordHandler<string>, over: Partial<DispatcherDeps<string>> = {}) {
  const finished: bigint[] = []
  const failures: Array<{ offset: bigint; error: unknown }> = []
  let reconciles = 0
  const deps: DispatcherDeps<string> = {
    handler,
    ordering: 'partition',
    concurrency: 10,
    manualAck: false,
    ack: (entry) => {
      finished.push(entry.offset)
      return true
    },
    send: () => undefined,
    finish: (entry) => {
      entry.state.tracker.complete(entry)
      finished.push(entry.offset)
    },
    failed: (entry, error) => failures.push({ offset: entry.offset, error }),
    reconcile: () => void reconciles++,
    ...over,
  }
  const d = new Dispatcher<string>(deps)
  return { d, finished, failures, reconciles: () => reconciles }
}

/** Tracks and queues a record the way the engine does. */
function arrive(d: Dispatcher<string>, state: PartitionState<string>, offset: number, key?: string): TrackedEntry<string> {
  const rec = record(state.topic, state.partition, offset, key === undefined ? {} : { key })
  const entry = new TrackedEntry(rec, state, state.epoch, d.laneFor(state, rec), 0)
  state.tracker.track(entry)
  d.enqueue(entry)
  return entry
}

describe('Dispatcher', () => {
  it('runs a partition sequentially: the next record starts when the previous one settled', async () => {
    const handler = new ManualHandler()
    const { d, finished, reconciles } = dispatcher(handler.handle)
    const state = partition()
    d.resetLanes(state)
    arrive(d, state, 0)
    arrive(d, state, 1)
    d.pump()
    expect(handler.offsets()).toEqual([0n])
    expect(d.running).toBe(1)
    expect(state.running).toBe(1)
    handler.call(0).reply.resolve()
    await tick()
    expect(finished).toEqual([0n])
    expect(reconciles()).toBe(1)
    d.pump()
    expect(handler.offsets()).toEqual([0n, 1n])
  })

  it('runs keys of a partition in parallel, and forgets a key lane once it is idle', async () => {
    const handler = new ManualHandler()
    const { d } = dispatcher(handler.handle, { ordering: 'key' })
    const state = partition()
    d.resetLanes(state)
    arrive(d, state, 0, 'a')
    arrive(d, state, 1, 'b')
    arrive(d, state, 2, 'a')
    d.pump()
    expect(handler.offsets()).toEqual([0n, 1n])
    expect(state.keyLanes?.size).toBe(2)
    handler.call(1).reply.resolve()
    await tick()
    expect(state.keyLanes?.size).toBe(1)
  })

  it('runs unordered records in parallel up to the concurrency bound', () => {
    const handler = new ManualHandler()
    const { d } = dispatcher(handler.handle, { ordering: 'unordered', concurrency: 2 })
    const state = partition()
    d.resetLanes(state)
    for (const o of [0, 1, 2]) arrive(d, state, o)
    d.pump()
    expect(handler.offsets()).toEqual([0n, 1n])
    expect(d.idle).toBe(false)
  })

  it('finishes a synchronous handler at once and hands a throwing one to failures', () => {
    const { d, finished, failures } = dispatcher((rec) => {
      if (rec.offset === 1n) throw new Error('bad')
    }, { ordering: 'unordered' })
    const state = partition()
    d.resetLanes(state)
    arrive(d, state, 0)
    arrive(d, state, 1)
    d.pump()
    expect(finished).toEqual([0n])
    expect(failures.map((f) => f.offset)).toEqual([1n])
    expect(d.running).toBe(0)
  })

  it('hands a rejected handler to failures, still occupying its lane', async () => {
    const { d, failures } = dispatcher(() => Promise.reject(new Error('no')))
    const state = partition()
    d.resetLanes(state)
    const entry = arrive(d, state, 0)
    d.pump()
    await tick()
    expect(failures).toHaveLength(1)
    expect(entry.lane.active).toBe(1)
    expect(d.idle).toBe(true)
  })

  it('treats a thenable whose then() throws as a failed handler', () => {
    const thenable = {
      then: () => {
        throw new Error('broken thenable')
      },
    }
    const { d, failures } = dispatcher(() => thenable as unknown as Promise<void>)
    const state = partition()
    d.resetLanes(state)
    arrive(d, state, 0)
    d.pump()
    expect(failures).toHaveLength(1)
  })

  it('does not finish a record under manual ack; the context acks through the deps', async () => {
    const handler = new ManualHandler()
    const { d, finished } = dispatcher(handler.handle, { manualAck: true })
    const state = partition()
    d.resetLanes(state)
    arrive(d, state, 0)
    d.pump()
    handler.call(0).reply.resolve()
    await tick()
    expect(finished).toEqual([])
    expect(handler.call(0).ack()).toBe(true)
    expect(finished).toEqual([0n])
  })

  it('drops the outcome of an old epoch and tells a draining partition when its last handler ended', async () => {
    const handler = new ManualHandler()
    const { d, finished, failures } = dispatcher(handler.handle)
    const state = partition()
    d.resetLanes(state)
    arrive(d, state, 0)
    d.pump()
    let drained = 0
    state.drained = () => void drained++
    state.phase = 'fenced'
    handler.call(0).reply.reject(new Error('late'))
    await tick()
    expect(finished).toEqual([])
    expect(failures).toEqual([])
    expect(drained).toBe(1)
  })

  it('dispatches nothing while the partition is held by a sync commit, then resumes when offered', () => {
    const handler = new ManualHandler()
    const { d } = dispatcher(handler.handle)
    const state = partition()
    d.resetLanes(state)
    state.syncHolds = 1
    arrive(d, state, 0)
    d.pump()
    expect(handler.calls).toHaveLength(0)
    state.syncHolds = 0
    d.offerLanes(state)
    d.pump()
    expect(handler.offsets()).toEqual([0n])
  })

  it('skips lanes that became undispatchable or retired while queued, and records acked while queued', () => {
    const handler = new ManualHandler()
    const { d } = dispatcher(handler.handle, { ordering: 'unordered' })
    const a = partition('t', 0)
    const b = partition('t', 1)
    d.resetLanes(a)
    d.resetLanes(b)
    arrive(d, a, 0)
    const acked = arrive(d, b, 0)
    arrive(d, b, 1)
    a.stopped = true
    acked.done = true
    d.pump()
    expect(handler.calls.map((c) => c.record.partition)).toEqual([1])
    d.resetLanes(b)
    d.pump()
    expect(handler.calls).toHaveLength(1)
  })

  it('requeues a retried entry at the head of its lane', () => {
    const handler = new ManualHandler()
    const { d } = dispatcher(handler.handle)
    const state = partition()
    d.resetLanes(state)
    const first = arrive(d, state, 0)
    arrive(d, state, 1)
    d.pump()
    d.runEnded(state)
    d.requeue(first)
    d.pump()
    expect(handler.offsets()).toEqual([0n, 0n])
    expect(handler.calls[1]?.attempt).toBe(2)
    expect((first.lane as Lane<string>).active).toBe(1)
  })
})
