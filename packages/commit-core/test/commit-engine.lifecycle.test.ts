import { describe, expect, it } from 'vitest'
import { CommitError, commitOffsetFromBigInt, EngineError } from '../src/index.js'
import { FakePort, ManualHandler, T, record, records, setup, tick } from './harness.js'

const at = (n: number) => commitOffsetFromBigInt(BigInt(n))
const P0 = { topic: T, partition: 0 }
const P1 = { topic: T, partition: 1 }

describe('assignment', () => {
  it('gives every assignment a new epoch and ignores re-assigning an owned partition', () => {
    const { engine } = setup()
    const epochs: number[] = []
    engine.on('partition.assigned', (e) => epochs.push(e.epoch))
    engine.assigned([P0, P1])
    engine.assigned([P0])
    expect(epochs).toEqual([1, 2])
    expect(engine.stats().partitions.map((p) => p.epoch)).toEqual([1, 2])
  })

  it('starts at the given position: nothing below it is tracked, and it is the watermark until records come', () => {
    const { engine } = setup()
    const dropped: string[] = []
    engine.on('record.dropped', (e) => dropped.push(`${e.record.offset}:${e.reason}`))
    engine.assigned([{ ...P0, position: at(42) }])
    expect(engine.stats().partitions[0]?.watermark).toBe(42n)
    engine.recordsArrived(records(T, 0, [41, 42]))
    expect(dropped).toEqual(['41:duplicate'])
  })

  it('rejects a malformed position', () => {
    const { engine } = setup()
    expect(() => engine.assigned([{ ...P0, position: 3 as never }])).toThrow(/Invalid offset/)
  })
})

describe('revoke', () => {
  it('stops dispatch, drains running handlers, commits the final watermark synchronously, then releases', async () => {
    const h = new ManualHandler()
    const { engine, port } = setup({ handler: h.handle, commit: 'manual', ordering: 'unordered' })
    const events: string[] = []
    for (const name of ['partition.drained', 'partition.revoked', 'commit.started'] as const) engine.on(name, () => events.push(name))
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1, 2]))
    h.call(0).reply.resolve()
    await tick()
    let revoked = false
    const revoking = engine.revoked([P0]).then(() => (revoked = true))
    engine.recordsArrived(records(T, 0, [3])) // not dispatched while revoking
    await tick()
    expect(revoked).toBe(false)
    expect(h.offsets()).toEqual([0n, 1n, 2n])
    h.call(1).reply.resolve()
    await tick()
    expect(revoked).toBe(false)
    h.call(2).reply.resolve()
    await revoking
    expect(port.requests).toMatchObject([{ reason: 'revoke', sync: true, offsets: [{ partition: 0, offset: 3n }] }])
    expect(events).toEqual(['partition.drained', 'commit.started', 'partition.revoked'])
    expect(engine.stats().partitions).toEqual([])
  })

  it('queued records stay unfinished: the commit stops before the first one', async () => {
    const h = new ManualHandler()
    const { engine, port } = setup({ handler: h.handle, commit: 'manual' })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1, 2]))
    const revoking = engine.revoked([P0])
    h.call(0).reply.resolve()
    await revoking
    expect(port.committed(T, 0)).toBe(1n)
    expect(h.offsets()).toEqual([0n])
  })

  it('aborts handlers only when the drain timeout expires, then commits without them', async () => {
    const h = new ManualHandler()
    const { engine, port, clock } = setup({ handler: h.handle, commit: 'manual', ordering: 'unordered', drainTimeoutMs: 500 })
    const drained: boolean[] = []
    engine.on('partition.drained', (e) => drained.push(e.timedOut))
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1]))
    const revoking = engine.revoked([P0])
    h.call(1).reply.resolve()
    await clock.advanceAsync(499)
    expect(h.call(0).signal.aborted).toBe(false)
    await clock.advanceAsync(1)
    expect(h.call(0).signal.aborted).toBe(true)
    expect(h.call(0).signal.reason).toBeInstanceOf(EngineError)
    expect((h.call(0).signal.reason as EngineError).code).toBe('PARTITION_REVOKED')
    await revoking
    expect(drained).toEqual([true])
    expect(port.committed(T, 0)).toBe(0n)
    h.call(0).reply.resolve() // too late: the partition is fenced, the ack is dropped
    await tick()
    expect(port.requests).toHaveLength(1)
  })

  it('a handler failing while its partition revokes is abandoned, not retried', async () => {
    const h = new ManualHandler()
    const { engine, clock } = setup({ handler: h.handle })
    const log: string[] = []
    engine.on('record.failed', (e) => log.push(e.action))
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    const revoking = engine.revoked([P0])
    h.call(0).reply.reject(new Error('late failure'))
    await revoking
    expect(log).toEqual(['abandon'])
    expect(clock.pendingTimers).toBe(0)
  })

  it('cancels pending retries of a revoked partition', async () => {
    const { engine, clock, port } = setup({ handler: () => { throw new Error('x') }, commit: 'manual' })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [5]))
    expect(clock.pendingTimers).toBe(1)
    await engine.revoked([P0])
    expect(clock.pendingTimers).toBe(0)
    // 5 is unfinished: the commit says "resume at 5", never past it
    expect(port.requests).toMatchObject([{ reason: 'revoke', offsets: [{ offset: 5n }] }])
  })

  it('revoking the same partition twice waits for the same revoke; unknown partitions are ignored', async () => {
    const h = new ManualHandler()
    const { engine, port } = setup({ handler: h.handle, commit: 'manual' })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    const first = engine.revoked([P0])
    const second = engine.revoked([P0, { topic: 'other', partition: 3 }])
    h.call(0).reply.resolve()
    await Promise.all([first, second])
    expect(port.requests).toHaveLength(1)
    await engine.revoked([P0])
  })

  it('never rejects when the revoke commit fails; the failure is an event', async () => {
    const port = new FakePort()
    port.failures = ['fatal']
    const { engine, logger } = setup({ commit: 'manual' }, port)
    const failed: string[] = []
    engine.on('commit.failed', (e) => failed.push(e.error.code))
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    await expect(engine.revoked([P0])).resolves.toBeUndefined()
    expect(failed).toEqual(['FATAL'])
    expect(logger.lines.some((l) => l.message === 'commit on revoke failed')).toBe(true)
  })

  it('a rebalance error on the revoke commit is not parked (that would deadlock the rebalance)', async () => {
    const port = new FakePort()
    port.failures = ['rebalance']
    const { engine } = setup({ commit: 'manual' }, port)
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    await engine.revoked([P0])
    engine.assigned([P1])
    await tick()
    expect(port.requests).toHaveLength(1) // the parked revoke commit is not re-sent: P0 is gone
  })

  it('resumes a paused partition before releasing it (some clients keep pause state)', async () => {
    const h = new ManualHandler()
    const { engine, port, clock } = setup({ handler: h.handle, maxInFlightPerPartition: 1, drainTimeoutMs: 0 })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    expect(port.pauses).toHaveLength(1)
    const revoking = engine.revoked([P0])
    await clock.advanceAsync(0)
    await revoking
    expect(port.resumes).toEqual([[P0]])
  })

  it('assigned() while the old epoch is still revoking releases the old epoch (adapter contract breach)', async () => {
    const h = new ManualHandler()
    const { engine, logger } = setup({ handler: h.handle, commit: 'manual' })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    const revoking = engine.revoked([P0])
    engine.assigned([{ ...P0, position: at(0) }])
    expect(logger.lines.some((l) => l.level === 'error' && l.message.startsWith('assigned() while'))).toBe(true)
    engine.recordsArrived(records(T, 0, [0]))
    expect(h.offsets()).toEqual([0n, 0n])
    h.calls[0]?.reply.resolve()
    await revoking
    expect(engine.stats().partitions).toMatchObject([{ epoch: 2, watermark: 0n }])
  })
})

describe('lost', () => {
  it('aborts handlers at once, drops the partition, never commits it', async () => {
    const h = new ManualHandler()
    const { engine, port } = setup({ handler: h.handle, commit: 'per-message-async', ordering: 'unordered' })
    const lost: number[] = []
    engine.on('partition.lost', (e) => lost.push(e.epoch))
    engine.assigned([P0, P1])
    engine.recordsArrived(records(T, 0, [0, 1]))
    engine.lost([P0, { topic: 'nope', partition: 0 }])
    expect(lost).toEqual([1])
    expect(h.call(0).signal.aborted).toBe(true)
    expect((h.call(0).signal.reason as EngineError).code).toBe('PARTITION_LOST')
    h.call(0).reply.resolve()
    h.call(1).reply.resolve()
    await tick()
    expect(port.requests).toHaveLength(0)
    expect(engine.stats().partitions.map((p) => p.partition)).toEqual([1])
    expect(engine.stats().inFlight).toBe(0)
  })

  it('records arriving for a lost partition are dropped (rdkafka may still deliver them)', () => {
    const { engine } = setup()
    const dropped: string[] = []
    engine.on('record.dropped', (e) => dropped.push(e.reason))
    engine.assigned([P0])
    engine.lost([P0])
    engine.recordsArrived(records(T, 0, [0]))
    expect(dropped).toEqual(['not-assigned'])
  })

  it('a late handler failure of a lost partition is dropped silently', async () => {
    const h = new ManualHandler()
    const { engine, clock } = setup({ handler: h.handle })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    engine.lost([P0])
    h.call(0).reply.reject(new Error('late'))
    await tick()
    expect(clock.pendingTimers).toBe(0)
    expect(engine.stats().running).toBe(0)
  })
})

describe('seek', () => {
  it('resets the partition under a new epoch; old acks are dropped; the commit may go backwards', async () => {
    const h = new ManualHandler()
    const { engine, port } = setup({ handler: h.handle, commit: 'per-message-async', ordering: 'unordered' })
    const resets: string[] = []
    engine.on('partition.reset', (e) => resets.push(`${e.epoch}@${e.offset}`))
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1, 2, 3]))
    h.call(0).reply.resolve()
    h.call(1).reply.resolve()
    await tick()
    expect(port.committed(T, 0)).toBe(2n)
    const old = h.call(2)
    expect(engine.seek(P0, at(0))).toBe(true)
    expect(old.signal.aborted).toBe(true)
    expect((old.signal.reason as EngineError).code).toBe('PARTITION_RESET')
    expect(engine.stats().partitions[0]).toMatchObject({ epoch: 2, watermark: 0n, inFlight: 0 })
    old.reply.resolve() // old epoch: dropped
    await tick()
    expect(engine.stats().partitions[0]?.watermark).toBe(0n)
    engine.recordsArrived(records(T, 0, [0, 1]))
    expect(h.call(0).signal.aborted).toBe(false)
    h.call(0).reply.resolve()
    await tick()
    expect(port.committed(T, 0)).toBe(1n) // the explicit rewind lets the commit go backwards
    expect(resets).toEqual(['2@0'])
  })

  it('un-stops a stopped partition', () => {
    let fail = true
    const { engine } = setup({ handler: () => { if (fail) throw new Error('x') }, failure: { retries: 0, then: 'stop' } })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    expect(engine.stats().partitions[0]?.stopped).toBe(true)
    fail = false
    engine.seek(P0, at(0))
    engine.recordsArrived(records(T, 0, [0]))
    expect(engine.stats().partitions[0]).toMatchObject({ stopped: false, watermark: 1n })
  })

  it('is refused for partitions not owned or revoking', async () => {
    const h = new ManualHandler()
    const { engine } = setup({ handler: h.handle })
    expect(engine.seek(P0, at(0))).toBe(false)
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    const revoking = engine.revoked([P0])
    expect(engine.seek(P0, at(0))).toBe(false)
    h.call(0).reply.resolve()
    await revoking
  })

  it('cancels retries and works in key ordering', async () => {
    const { engine, clock } = setup({ handler: () => { throw new Error('x') }, ordering: 'key', commit: 'manual' })
    engine.assigned([P0])
    engine.recordsArrived([record(T, 0, 0, { key: 'k' })])
    expect(clock.pendingTimers).toBe(1)
    engine.seek(P0, at(0))
    expect(clock.pendingTimers).toBe(0)
  })
})

describe('manual acknowledgement', () => {
  it("with ack: 'manual' only ack() marks a record done", async () => {
    const h = new ManualHandler()
    const { engine } = setup({ handler: h.handle, ack: 'manual' })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1]))
    h.call(0).reply.resolve()
    await tick()
    expect(h.offsets()).toEqual([0n, 1n]) // the lane moves on ...
    expect(engine.stats().partitions[0]?.watermark).toBe(0n) // ... but nothing is done yet
    expect(h.call(1).ack()).toBe(true)
    expect(h.call(1).ack()).toBe(false)
    expect(engine.ack(h.call(0).record)).toBe(true)
    expect(engine.stats().partitions[0]?.watermark).toBe(2n)
  })

  it('ack() is by record identity: a same-offset record from another epoch is not acked', async () => {
    const h = new ManualHandler()
    const { engine } = setup({ handler: h.handle, ack: 'manual' })
    engine.assigned([P0])
    const first = record(T, 0, 0)
    engine.recordsArrived([first])
    engine.seek(P0, at(0))
    const second = record(T, 0, 0)
    engine.recordsArrived([second])
    expect(engine.ack(first)).toBe(false)
    expect(engine.ack(record(T, 9, 0))).toBe(false)
    expect(engine.ack({ ...second, offset: 0 as never })).toBe(false)
    expect(engine.ack(second)).toBe(true)
  })

  it('acking a queued record early means it is never dispatched', () => {
    const h = new ManualHandler()
    const { engine } = setup({ handler: h.handle })
    engine.assigned([P0])
    const rs = records(T, 0, [0, 1, 2])
    engine.recordsArrived(rs)
    expect(engine.ack(rs[1]!)).toBe(true)
    h.call(0).reply.resolve()
    return tick().then(() => {
      expect(h.offsets()).toEqual([0n, 2n])
    })
  })

  it('in handler mode an early ctx.ack() is not counted twice', async () => {
    const { engine } = setup({
      handler: async (_r, ctx) => {
        ctx.ack()
      },
    })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1]))
    await tick()
    expect(engine.stats()).toMatchObject({ inFlight: 0, partitions: [{ watermark: 2n, inFlight: 0 }] })
  })
})

describe('close', () => {
  it('stops, drains, commits everything synchronously, releases, then is closed', async () => {
    const h = new ManualHandler()
    const { engine, port, clock } = setup({ handler: h.handle, commit: { interval: 1000 } })
    const closed: unknown[] = []
    engine.on('closed', (e) => closed.push(e.error))
    engine.assigned([P0, P1])
    engine.recordsArrived([...records(T, 0, [0, 1]), ...records(T, 1, [0])])
    h.call(0, 1).reply.resolve()
    await tick()
    const closing = engine.close()
    expect(engine.close()).toBe(closing)
    h.call(0, 0).reply.resolve()
    await closing
    expect(port.requests).toMatchObject([{ reason: 'close', sync: true }])
    expect(port.committed(T, 0)).toBe(1n) // record 1 was queued, never dispatched
    expect(port.committed(T, 1)).toBe(1n)
    expect(engine.closed).toBe(true)
    expect(closed).toEqual([undefined])
    expect(clock.pendingTimers).toBe(0)
    expect(engine.stats().partitions).toEqual([])
    await expect(engine.commit()).rejects.toMatchObject({ code: 'CLOSED' })
    engine.recordsArrived(records(T, 0, [2]))
    engine.assigned([P0])
    expect(engine.stats().partitions).toEqual([])
  })

  it('rejects with the CommitError when the final commit fails fatally', async () => {
    const port = new FakePort()
    port.failures = ['fatal']
    const { engine } = setup({ commit: 'manual' }, port)
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    const error = await engine.close().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CommitError)
    expect(error).toMatchObject({ code: 'FATAL' })
    expect(engine.closed).toBe(true)
  })

  it('resolves when the final commit is fenced (nothing left to do), reporting it', async () => {
    const port = new FakePort()
    port.failures = ['fenced']
    const { engine } = setup({ commit: 'manual' }, port)
    const closed: unknown[] = []
    engine.on('closed', (e) => closed.push((e.error as CommitError).code))
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    await expect(engine.close()).resolves.toBeUndefined()
    expect(closed).toEqual(['FENCED'])
  })

  it('gives up on a final commit that gets no answer within closeTimeoutMs: rejects TIMED_OUT, releases, is closed', async () => {
    const port = new FakePort()
    port.autoReply = false
    const { engine, clock, logger } = setup({ commit: 'manual', closeTimeoutMs: 5_000 }, port)
    const closed: unknown[] = []
    engine.on('closed', (e) => closed.push(e.error?.code))
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    await tick()
    let settled = false
    const closing = engine.close().then(() => 'resolved', (e: unknown) => e).finally(() => (settled = true))
    await clock.advanceAsync(4_999)
    expect(settled).toBe(false)
    expect(port.pending).toHaveLength(1) // the final commit, unanswered
    await clock.advanceAsync(1)
    const error = await closing
    expect(error).toBeInstanceOf(CommitError)
    expect(error).toMatchObject({ code: 'TIMED_OUT', retriable: false })
    expect(closed).toEqual(['TIMED_OUT'])
    expect(engine.closed).toBe(true)
    expect(engine.stats().partitions).toEqual([])
    expect(logger.lines.some((l) => l.level === 'warn' && /final commit got no answer/.test(l.message))).toBe(true)
    port.answer('ok') // a late answer changes nothing
    await tick()
    expect(engine.closed).toBe(true)
  })

  it('aborts handlers still running when the drain times out', async () => {
    const h = new ManualHandler()
    const { engine, clock } = setup({ handler: h.handle, drainTimeoutMs: 100 })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    const closing = engine.close()
    await clock.advanceAsync(100)
    await closing
    expect((h.call(0).signal.reason as EngineError).code).toBe('ENGINE_CLOSED')
  })

  it('waits for a revoke in progress, and carries a parked manual commit', async () => {
    const h = new ManualHandler()
    const port = new FakePort()
    port.failures = ['rebalance']
    const { engine } = setup({ handler: h.handle, commit: 'manual' }, port)
    engine.assigned([P0, P1])
    engine.recordsArrived([...records(T, 0, [0]), ...records(T, 1, [0])])
    h.call(0, 0).reply.resolve()
    h.call(0, 1).reply.resolve()
    await tick()
    const manual = engine.commit()
    await tick()
    engine.recordsArrived(records(T, 0, [1]))
    const revoking = engine.revoked([P0])
    const closing = engine.close()
    h.call(1, 0).reply.resolve()
    await Promise.all([revoking, closing, manual])
    expect(port.committed(T, 0)).toBe(2n)
    expect(port.committed(T, 1)).toBe(1n)
  })

  it('fails a manual commit requested during close that could not be sent', async () => {
    const { engine } = setup({ commit: 'none' })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    const port = (engine as unknown as { port: FakePort }).port
    port.failures = ['rebalance']
    const manual = engine.commit().catch((e: unknown) => (e as CommitError).code)
    await tick()
    await engine.close()
    expect(await manual).toBe('CLOSED')
  })
})

describe('stats', () => {
  it('reports per-partition gauges', async () => {
    const h = new ManualHandler()
    const { engine, clock } = setup({ handler: h.handle, commit: 'manual', ordering: 'unordered' })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [3, 4, 5]))
    await clock.advanceAsync(250)
    h.call(4).reply.resolve()
    await tick()
    expect(engine.stats()).toEqual({
      inFlight: 2,
      running: 2,
      committing: false,
      partitions: [
        {
          topic: T,
          partition: 0,
          epoch: 1,
          status: 'active',
          highestSeen: 5n,
          watermark: 3n,
          lastCommitted: undefined,
          inFlight: 2,
          running: 2,
          oldestInFlightAgeMs: 250,
          paused: false,
          stopped: false,
          endOffset: undefined,
          idleMs: 250,
          stalled: false,
          starved: false,
        },
      ],
    })
    h.call(3).reply.resolve()
    h.call(5).reply.resolve()
    await tick()
    await engine.commit()
    expect(engine.stats().partitions[0]).toMatchObject({ watermark: 6n, lastCommitted: 6n, inFlight: 0, oldestInFlightAgeMs: undefined })
    const revoking = engine.revoked([P0])
    expect(engine.stats().partitions[0]?.status).toBe('revoking')
    await revoking
  })
})
