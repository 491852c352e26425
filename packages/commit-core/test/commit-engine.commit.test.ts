import { describe, expect, it } from 'vitest'
import { CommitError, commitOffsetFromBigInt, type CommitEngineEvents } from '../src/index.js'
import { FakePort, ManualHandler, T, range, record, records, setup, tick } from './harness.js'

const at = (n: number) => commitOffsetFromBigInt(BigInt(n))
const offsetsOf = (port: FakePort) => port.requests.map((r) => r.offsets.map((o) => `${o.partition}@${o.offset}`).join(','))

describe('commit policies end to end', () => {
  it('per-message (sync): the next record waits for the commit of the previous one', async () => {
    const h = new ManualHandler()
    const port = new FakePort()
    port.autoReply = false
    const { engine } = setup({ handler: h.handle, commit: 'per-message' }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    h.call(0).reply.resolve()
    await tick()
    expect(port.requests).toMatchObject([{ sync: true, reason: 'policy', offsets: [{ offset: 1n }] }])
    expect(h.offsets()).toEqual([0n]) // record 1 is held back
    port.answer()
    await tick()
    expect(h.offsets()).toEqual([0n, 1n])
  })

  it('per-message (sync) releases the partition when the commit fails for good', async () => {
    const h = new ManualHandler()
    const port = new FakePort()
    port.autoReply = false
    const { engine } = setup({ handler: h.handle, commit: 'per-message' }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    h.call(0).reply.resolve()
    await tick()
    port.answer('fatal')
    await tick()
    expect(h.offsets()).toEqual([0n, 1n])
  })

  it('per-message-async: one commit in flight, later ones coalesce to the latest watermark', async () => {
    const port = new FakePort()
    port.autoReply = false
    const { engine } = setup({ commit: 'per-message-async' }, port)
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived(records(T, 0, [0]))
    engine.recordsArrived(records(T, 0, [1, 2]))
    engine.recordsArrived(records(T, 1, [5]))
    expect(offsetsOf(port)).toEqual(['0@1'])
    port.answer()
    await tick()
    expect(offsetsOf(port)).toEqual(['0@1', '0@3,1@6'])
    expect(port.requests[1]?.sync).toBe(false)
    port.answer()
    await tick()
    expect(port.maxOutstanding).toBe(1)
    expect(engine.stats().partitions.map((p) => p.lastCommitted)).toEqual([3n, 6n])
  })

  it('every N records (requests made in one burst coalesce to the latest watermark)', () => {
    const { engine, port } = setup({ commit: { every: 3 } })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    expect(port.requests).toHaveLength(0)
    engine.recordsArrived(records(T, 0, [2, 3, 4, 5, 6]))
    expect(offsetsOf(port)).toEqual(['0@7'])
    engine.recordsArrived(records(T, 0, [7]))
    expect(port.requests).toHaveLength(1) // 6 and 7 make 2 since the last request
    engine.recordsArrived(records(T, 0, [8]))
    expect(port.requests).toHaveLength(1) // still in flight: the next one waits for the reply
  })

  it('every T ms, and a quiet consumer still gets its interval commit', async () => {
    const { engine, port, clock } = setup({ commit: { interval: 1000 } })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    expect(port.requests).toHaveLength(0)
    await clock.advanceAsync(999)
    expect(port.requests).toHaveLength(0)
    await clock.advanceAsync(1)
    expect(offsetsOf(port)).toEqual(['0@2'])
    await clock.advanceAsync(10_000)
    expect(port.requests).toHaveLength(1) // nothing new: no empty commits, no timer spinning
    expect(clock.pendingTimers).toBe(0)
  })

  it('N-or-T: the count resets the interval', async () => {
    const { engine, port, clock } = setup({ commit: { every: 2, interval: 1000 } })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await clock.advanceAsync(600)
    engine.recordsArrived(records(T, 0, [1])) // count hits 2 at t+600
    expect(offsetsOf(port)).toEqual(['0@2'])
    engine.recordsArrived(records(T, 0, [2]))
    await clock.advanceAsync(999)
    expect(port.requests).toHaveLength(1)
    await clock.advanceAsync(1)
    expect(offsetsOf(port)).toEqual(['0@2', '0@3'])
  })

  it('a custom policy with a tick is asked on the timer, and never spins when it declines', async () => {
    const triggers: string[] = []
    const { engine, port, clock } = setup({
      commit: {
        decide: (state) => {
          triggers.push(state.trigger)
          return state.trigger === 'timer' && triggers.filter((t) => t === 'timer').length >= 2 ? 'async' : 'none'
        },
        tickMs: 100,
      },
    })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await clock.advanceAsync(100)
    expect(port.requests).toHaveLength(0)
    await clock.advanceAsync(99)
    expect(port.requests).toHaveLength(0)
    await clock.advanceAsync(1)
    expect(offsetsOf(port)).toEqual(['0@1'])
    expect(triggers).toEqual(['record', 'timer', 'timer'])
  })

  it('a custom sync decision on a timer holds every partition until the broker answers', async () => {
    const h = new ManualHandler()
    const port = new FakePort()
    port.autoReply = false
    const { engine, clock } = setup({ handler: h.handle, commit: { decide: (s) => (s.trigger === 'timer' ? 'sync' : 'none'), tickMs: 10 } }, port)
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived([...records(T, 0, [0, 1, 2]), ...records(T, 1, [0, 1])])
    h.call(0, 0).reply.resolve()
    await tick()
    expect(h.calls).toHaveLength(3) // 0@0, 1@0, 0@1
    await clock.advanceAsync(10)
    expect(port.requests).toHaveLength(1)
    h.call(1, 0).reply.resolve()
    h.call(0, 1).reply.resolve()
    await tick()
    expect(h.calls).toHaveLength(3) // neither partition dispatches while the sync commit is out
    port.answer()
    await tick()
    expect(h.calls).toHaveLength(5)
  })

  it('a sync decision with nothing assigned still commits (no partition to hold)', async () => {
    const { engine, port } = setup({ commit: (s) => (s.trigger === 'batch-end' ? 'sync' : 'none') })
    engine.batchEnd()
    await tick()
    expect(port.requests).toHaveLength(0) // nothing to commit: no empty request
  })

  it("'batch' commits when the adapter reports the end of a batch", () => {
    const { engine, port } = setup({ commit: 'batch' })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1, 2]))
    expect(port.requests).toHaveLength(0)
    engine.batchEnd()
    expect(offsetsOf(port)).toEqual(['0@3'])
  })

  it("'manual' commits only when asked; commit() resolves once the broker accepted", async () => {
    const port = new FakePort()
    port.autoReply = false
    const { engine } = setup({ commit: 'manual' }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    expect(port.requests).toHaveLength(0)
    let done = false
    const committed = engine.commit().then(() => (done = true))
    expect(port.requests).toMatchObject([{ sync: true, reason: 'manual', offsets: [{ offset: 2n }] }])
    await tick()
    expect(done).toBe(false)
    port.answer()
    await committed
    expect(engine.stats().partitions[0]?.lastCommitted).toBe(2n)
  })

  it('commit() with nothing new resolves without a request', async () => {
    const { engine, port } = setup({ commit: 'manual' })
    engine.assigned([{ topic: T, partition: 0 }])
    await engine.commit()
    expect(port.requests).toHaveLength(0)
  })

  it('commit() waits for the in-flight commit and re-sends only if it failed', async () => {
    const port = new FakePort()
    port.autoReply = false
    const { engine } = setup({ commit: 'per-message-async' }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    const manual = engine.commit()
    port.answer('fatal')
    await tick()
    expect(port.requests).toHaveLength(2) // the manual commit re-sends 0@1
    port.answer()
    await expect(manual).resolves.toBeUndefined()
  })

  it("'auto' keeps the client's offset store at the watermark and never commits itself", async () => {
    const h = new ManualHandler()
    const { engine, port } = setup({ handler: h.handle, commit: 'auto', ordering: 'unordered' })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1, 2]))
    h.call(1).reply.resolve()
    await tick()
    expect(port.stored).toEqual([]) // 0 is unfinished: storing 2 would let auto-commit pass it
    h.call(0).reply.resolve()
    await tick()
    expect(port.stored.map((s) => s.offset)).toEqual([2n])
    h.call(2).reply.resolve()
    engine.recordsArrived([], { fetchPositions: [{ topic: T, partition: 0, offset: at(3) }] })
    await tick()
    expect(port.stored.map((s) => s.offset)).toEqual([2n, 3n])
    expect(port.requests).toHaveLength(0)
    await engine.revoked([{ topic: T, partition: 0 }]) // revoke still commits
    expect(port.requests).toMatchObject([{ reason: 'revoke', sync: true, offsets: [{ offset: 3n }] }])
  })

  it("'auto': storeOffsets failures are logged, never thrown", async () => {
    const port = new FakePort({ storeOffsets: true })
    let calls = 0
    port.storeOffsets = () => {
      calls++
      if (calls === 1) throw new Error('sync store failure')
      return Promise.reject(new Error('async store failure')) as never
    }
    const { engine, logger } = setup({ commit: 'auto' }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    engine.recordsArrived(records(T, 0, [1]))
    await tick()
    expect(logger.lines.filter((l) => l.message === 'port.storeOffsets failed')).toHaveLength(2)
  })

  it("'none' never commits, not on revoke, not on close", async () => {
    const { engine, port } = setup({ commit: 'none' })
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    await engine.revoked([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 1, [0]))
    await engine.close()
    expect(port.requests).toHaveLength(0)
  })

  it('a throwing or misbehaving custom policy is logged and treated as none', () => {
    const { engine, port, logger } = setup({ commit: () => { throw new Error('policy bug') } })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    const other = setup({ commit: () => 'maybe' as never })
    other.engine.assigned([{ topic: T, partition: 0 }])
    other.engine.recordsArrived(records(T, 0, [0]))
    expect(port.requests).toHaveLength(0)
    expect(other.port.requests).toHaveLength(0)
    expect(logger.lines.some((l) => l.message.startsWith('commit policy threw'))).toBe(true)
    expect(other.logger.lines.some((l) => l.message.includes('unknown decision'))).toBe(true)
  })
})

describe('offsets in commits', () => {
  it('commits the next offset to read, stepping over gaps with the fetch position', () => {
    const { engine, port } = setup({ commit: 'per-message-async' })
    engine.assigned([{ topic: T, partition: 0, position: at(10) }])
    engine.recordsArrived(records(T, 0, [10, 13]), { fetchPositions: [{ topic: T, partition: 0, offset: at(17) }] })
    expect(port.committed(T, 0)).toBeUndefined() // not yet: replies are async
    expect(engine.stats().partitions[0]?.watermark).toBe(17n)
  })

  it('positionAdvanced moves a quiet partition past a trailing transaction marker', async () => {
    const { engine, port } = setup({ commit: 'manual' })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [4]))
    engine.positionAdvanced({ topic: T, partition: 0 }, at(6))
    engine.positionAdvanced({ topic: T, partition: 9 }, at(6)) // unknown partition: ignored
    await engine.commit()
    expect(port.committed(T, 0)).toBe(6n)
  })

  it('includes the leader epoch only when the port declares the capability', async () => {
    const withEpoch = setup({ commit: 'per-message-async' })
    withEpoch.engine.assigned([{ topic: T, partition: 0 }])
    withEpoch.engine.recordsArrived([record(T, 0, 0, { leaderEpoch: 7 })])
    expect(withEpoch.port.requests[0]?.offsets[0]).toEqual({ topic: T, partition: 0, offset: 1n, leaderEpoch: 7 })
    const port = new FakePort()
    port.capabilities = { leaderEpoch: false, commitMetadata: false, transactions: false }
    const without = setup({ commit: 'per-message-async' }, port)
    without.engine.assigned([{ topic: T, partition: 0 }])
    without.engine.recordsArrived([record(T, 0, 0, { leaderEpoch: 7 })])
    expect(without.port.requests[0]?.offsets[0]).toEqual({ topic: T, partition: 0, offset: 1n })
  })

  it('nothing is committed for a partition whose watermark is unknown or unchanged', async () => {
    const { engine, port } = setup({ commit: 'manual' })
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived(records(T, 0, [0]))
    await engine.commit()
    await engine.commit()
    expect(offsetsOf(port)).toEqual(['0@1'])
  })
})

describe('commit errors', () => {
  function collect(engine: { on: (e: 'commit.failed', l: (p: CommitEngineEvents['commit.failed']) => void) => unknown }) {
    const failures: string[] = []
    engine.on('commit.failed', (e) => failures.push(`${e.error.code}/${e.error.classification}/${e.attempt}/${e.willRetry}`))
    return failures
  }

  it('retriable: backs off through the clock and retries with the latest offsets', async () => {
    const { engine, port, clock } = setup({ commit: 'manual', commitRetry: { retries: 3, backoff: { initialMs: 100, maxMs: 1000 } } })
    const failures = collect(engine)
    port.failures = ['retriable', 'retriable']
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    const manual = engine.commit()
    await tick()
    expect(port.requests).toHaveLength(1)
    engine.recordsArrived(records(T, 0, [1]))
    await clock.advanceAsync(99)
    expect(port.requests).toHaveLength(1)
    await clock.advanceAsync(1)
    expect(offsetsOf(port)).toEqual(['0@1', '0@2']) // latest wins on retry
    await clock.advanceAsync(200)
    await expect(manual).resolves.toBeUndefined()
    expect(failures).toEqual(['RETRIABLE/retriable/1/true', 'RETRIABLE/retriable/2/true'])
    expect(port.committed(T, 0)).toBe(2n)
  })

  it('retriable: bounded, then surfaced as RETRIES_EXHAUSTED', async () => {
    const { engine, port, clock } = setup({ commit: 'manual', commitRetry: { retries: 1, backoff: () => 5 } })
    const failures = collect(engine)
    port.failures = ['retriable', 'retriable']
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    const manual = engine.commit()
    const caught = manual.catch((e: unknown) => e)
    await clock.advanceAsync(5)
    const error = await caught
    expect(error).toBeInstanceOf(CommitError)
    expect(error).toMatchObject({ code: 'RETRIES_EXHAUSTED', classification: 'retriable', attempts: 2, retriable: true })
    expect((error as CommitError).cause).toBeInstanceOf(Error)
    expect(failures).toEqual(['RETRIABLE/retriable/1/true', 'RETRIES_EXHAUSTED/retriable/2/false'])
  })

  it('fenced: dropped, reported, never thrown from a background commit', async () => {
    const { engine, port } = setup({ commit: 'per-message-async' })
    const failures = collect(engine)
    port.failures = ['fenced']
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await tick()
    expect(failures).toEqual(['FENCED/fenced/1/false'])
    expect(port.requests).toHaveLength(1)
  })

  it('fenced: a manual commit() rejects with FENCED', async () => {
    const { engine, port } = setup({ commit: 'manual' })
    port.failures = ['fenced']
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await expect(engine.commit()).rejects.toMatchObject({ code: 'FENCED', retriable: false })
  })

  it('fatal: surfaced to commit() callers', async () => {
    const { engine, port } = setup({ commit: 'manual' })
    port.failures = ['fatal']
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await expect(engine.commit()).rejects.toMatchObject({ name: 'CommitError', code: 'FATAL' })
  })

  it('rebalance in progress: parked, then re-committed after the assignment changes, for partitions still owned', async () => {
    const port = new FakePort()
    port.autoReply = false
    const { engine } = setup({ commit: 'manual' }, port)
    const failures = collect(engine)
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived([...records(T, 0, [0]), ...records(T, 1, [0])])
    let settled = false
    const manual = engine.commit().then(() => (settled = true))
    port.answer('rebalance')
    await tick()
    expect(failures).toEqual(['REBALANCE_IN_PROGRESS/rebalance/1/true'])
    expect(settled).toBe(false)
    expect(port.requests).toHaveLength(1) // parked: nothing is re-sent during the rebalance
    engine.lost([{ topic: T, partition: 1 }])
    await tick()
    expect(offsetsOf(port)).toEqual(['0@1,1@1', '0@1']) // partition 1 is no longer ours
    port.answer()
    await manual
    expect(settled).toBe(true)
  })

  it('rebalance during a per-message sync commit does not hold the partition', async () => {
    const h = new ManualHandler()
    const port = new FakePort()
    port.autoReply = false
    const { engine } = setup({ handler: h.handle, commit: 'per-message' }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    h.call(0).reply.resolve()
    await tick()
    port.answer('rebalance')
    await tick()
    expect(h.offsets()).toEqual([0n, 1n])
    engine.assigned([]) // the rebalance completes: the parked commit goes out
    await tick()
    expect(offsetsOf(port)).toEqual(['0@1', '0@1'])
  })

  it('a synchronous throw from port.commit is handled like a rejection', async () => {
    const port = new FakePort()
    port.commit = () => {
      throw new Error('not connected')
    }
    const { engine } = setup({ commit: 'manual' }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await expect(engine.commit()).rejects.toMatchObject({ code: 'FATAL' })
  })

  it('a classifier that throws or answers nonsense makes the error fatal', async () => {
    for (const classify of [() => { throw new Error('classifier bug') }, () => 'weird' as never]) {
      const port = new FakePort()
      port.failures = ['retriable']
      port.classifyCommitError = classify
      const { engine, logger } = setup({ commit: 'manual' }, port)
      engine.assigned([{ topic: T, partition: 0 }])
      engine.recordsArrived(records(T, 0, [0]))
      await expect(engine.commit()).rejects.toMatchObject({ code: 'FATAL' })
      expect(logger.lines.some((l) => l.level === 'error' && l.message.startsWith('classifyCommitError'))).toBe(true)
    }
  })

  it('a commit reply for an old epoch is ignored', async () => {
    const port = new FakePort()
    port.autoReply = false
    const { engine } = setup({ commit: 'per-message-async' }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1, 2]))
    expect(offsetsOf(port)).toEqual(['0@3'])
    engine.seek({ topic: T, partition: 0 }, at(1))
    port.answer()
    await tick()
    // the reply for 0@3 (old epoch) must not mark the rewound partition as committed at 3
    expect(engine.stats().partitions[0]?.lastCommitted).toBeUndefined()
    expect(offsetsOf(port)).toEqual(['0@3'])
    engine.recordsArrived(records(T, 0, [1]))
    expect(offsetsOf(port)).toEqual(['0@3', '0@2'])
  })

  it('listeners that throw are logged and do not break the engine', async () => {
    const { engine, port, logger } = setup({ commit: 'per-message-async' })
    engine.on('commit.started', () => {
      throw new Error('listener bug')
    })
    const off = engine.on('commit.succeeded', () => {})
    off()
    off()
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, range(0, 3)))
    await tick()
    expect(port.committed(T, 0)).toBe(3n)
    expect(logger.lines.some((l) => l.message === 'event listener threw')).toBe(true)
  })
})

describe('close under a rebalance', () => {
  it('re-sends the close commit when it hits a rebalance (the client completes its rejoin meanwhile)', async () => {
    const port = new FakePort()
    const { engine, clock } = setup({ commit: { every: 100 } }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    await tick()
    port.failures = ['rebalance', 'rebalance']
    let closed = false
    const closing = engine.close().then(() => void (closed = true))
    for (let i = 0; i < 10 && !closed; i++) {
      await tick()
      await clock.advance(1_000)
    }
    await closing
    expect(port.requests.map((r) => r.reason)).toEqual(['close', 'close', 'close'])
    expect(port.committed(T, 0)).toBe(2n)
  })

  it('gives up after the commit retries and reports the error in the closed event', async () => {
    const port = new FakePort()
    const { engine, clock } = setup({ commit: { every: 100 }, commitRetry: { retries: 1 } }, port)
    const closedEvents: Array<CommitEngineEvents<string>['closed']> = []
    engine.on('closed', (e) => closedEvents.push(e))
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await tick()
    port.failures = ['rebalance', 'rebalance', 'rebalance']
    let closed = false
    const closing = engine.close().then(() => void (closed = true))
    for (let i = 0; i < 10 && !closed; i++) {
      await tick()
      await clock.advance(1_000)
    }
    await closing
    expect(port.requests).toHaveLength(2)
    expect(closedEvents[0]?.error?.code).toBe('REBALANCE_IN_PROGRESS')
    expect(port.committed(T, 0)).toBeUndefined()
  })
})
