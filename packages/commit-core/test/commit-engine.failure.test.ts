import { describe, expect, it } from 'vitest'
import { ProcessingError, type CommitEngineEvents } from '../src/index.js'
import { FakePort, ManualHandler, T, records, setup, tick } from './harness.js'

function failing(times: number) {
  const attempts = new Map<bigint, number>()
  return (r: { offset: bigint }) => {
    const n = (attempts.get(r.offset) ?? 0) + 1
    attempts.set(r.offset, n)
    if (n <= times) throw new Error(`fail ${r.offset}#${n}`)
  }
}

function actions(engine: { on: (e: 'record.failed', l: (p: CommitEngineEvents['record.failed']) => void) => unknown }) {
  const seen: string[] = []
  engine.on('record.failed', (e) => seen.push(`${e.record.offset}:${e.attempt}:${e.action}`))
  return seen
}

describe('processing failures', () => {
  it('pin the watermark while retrying with backoff, in order, then succeed', async () => {
    const seen: bigint[] = []
    const fail = failing(2)
    const { engine, clock } = setup({
      handler: (r, ctx) => {
        seen.push(r.offset)
        expect(ctx.attempt).toBeGreaterThan(0)
        fail(r)
      },
      failure: { retries: 3, backoff: { initialMs: 100, maxMs: 1000 } },
    })
    const log = actions(engine)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    expect(engine.stats().partitions[0]?.watermark).toBe(0n)
    await clock.advanceAsync(100)
    expect(seen).toEqual([0n, 0n]) // record 1 waits: ordering holds during the backoff
    await clock.advanceAsync(200)
    expect(seen).toEqual([0n, 0n, 0n, 1n])
    await clock.advanceAsync(100)
    expect(seen).toEqual([0n, 0n, 0n, 1n, 1n])
    await clock.advanceAsync(200)
    expect(seen).toEqual([0n, 0n, 0n, 1n, 1n, 1n])
    expect(engine.stats().partitions[0]?.watermark).toBe(2n)
    expect(log).toEqual(['0:1:retry', '0:2:retry', '1:1:retry', '1:2:retry'])
  })

  it("'skip' counts the record as done after the retries", async () => {
    const { engine, clock, port } = setup({ handler: failing(9), failure: { retries: 1, backoff: () => 10, then: 'skip' }, commit: 'per-message-async' })
    const log = actions(engine)
    const skipped: string[] = []
    engine.on('record.skipped', (e) => skipped.push(`${e.record.offset}/${e.attempts}/${e.error.code}`))
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await clock.advanceAsync(10)
    expect(log).toEqual(['0:1:retry', '0:2:skip'])
    expect(skipped).toEqual(['0/2/HANDLER_FAILED'])
    expect(port.committed(T, 0)).toBe(1n)
  })

  it("'dead-letter' produces through the port, then counts the record as done", async () => {
    const { engine, port } = setup({ handler: failing(9), failure: { retries: 0, then: 'dead-letter' }, commit: 'per-message-async' })
    const dead: string[] = []
    engine.on('record.dead-lettered', (e) => dead.push(`${e.record.offset}/${e.attempts}`))
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    expect(engine.stats().partitions[0]?.watermark).toBe(0n) // the DLQ produce is still running
    await tick()
    expect(port.deadLettered.map((d) => [d.record.offset, d.attempts, d.error instanceof ProcessingError])).toEqual([
      [0n, 1, true],
      [1n, 1, true],
    ])
    expect(dead).toEqual(['0/1', '1/1'])
    expect(port.committed(T, 0)).toBe(2n)
  })

  it('a failing dead-letter produce stops the partition instead of losing the record', async () => {
    const port = new FakePort({ deadLetter: true })
    port.deadLetterFails = true
    const { engine, logger } = setup({ handler: failing(9), failure: { retries: 0, then: 'dead-letter' } }, port)
    const stopped: string[] = []
    engine.on('partition.stopped', (e) => stopped.push(`${e.partition}@${e.record.offset}:${e.error.code}`))
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    await tick()
    expect(stopped).toEqual(['0@0:DEAD_LETTER_FAILED'])
    expect(engine.stats().partitions[0]).toMatchObject({ stopped: true, paused: true, watermark: 0n })
    expect(logger.lines.some((l) => l.message.startsWith('dead-letter produce failed'))).toBe(true)
  })

  it('a dead-letter port that throws synchronously is handled the same way', async () => {
    const port = new FakePort({ deadLetter: true })
    port.deadLetter = () => {
      throw new Error('sync dlq failure')
    }
    const { engine } = setup({ handler: failing(9), failure: { retries: 0, then: 'dead-letter' } }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await tick()
    expect(engine.stats().partitions[0]?.stopped).toBe(true)
  })

  it("'stop' pins the partition: no more dispatch, watermark stays, partition paused; others go on", async () => {
    const { engine, port } = setup({ handler: (r) => { if (r.partition === 0 && r.offset === 1n) throw new Error('poison') }, failure: { retries: 0, then: 'stop' } })
    const stopped: string[] = []
    engine.on('partition.stopped', (e) => stopped.push(`${e.partition}@${e.record.offset}`))
    const dropped: string[] = []
    engine.on('record.dropped', (e) => dropped.push(`${e.record.offset}:${e.reason}`))
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived([...records(T, 0, [0, 1, 2]), ...records(T, 1, [0, 1])])
    expect(stopped).toEqual(['0@1'])
    expect(engine.stats().partitions.map((p) => [p.partition, p.watermark, p.stopped])).toEqual([
      [0, 1n, true],
      [1, 2n, false],
    ])
    expect(port.pauses).toEqual([[{ topic: T, partition: 0 }]])
    engine.recordsArrived(records(T, 0, [3]))
    expect(dropped).toEqual(['3:not-dispatching'])
    await engine.close()
    expect(port.committed(T, 0)).toBe(1n) // close commits, but never past the failed record
    expect(port.committed(T, 1)).toBe(2n)
  })

  it("'stop-consumer' stops every partition, including ones assigned later", async () => {
    const { engine, port } = setup({ handler: (r) => { if (r.offset === 1n) throw new Error('poison') }, failure: { retries: 0, then: 'stop-consumer' } })
    const stops: string[] = []
    engine.on('consumer.stopped', (e) => stops.push(e.error.code))
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived(records(T, 0, [0, 1, 2]))
    expect(stops).toEqual(['HANDLER_FAILED'])
    engine.assigned([{ topic: T, partition: 2 }])
    expect(engine.stats().partitions.every((p) => p.stopped && p.paused)).toBe(true)
    expect(port.pauses.flat().map((p) => p.partition).sort()).toEqual([0, 1, 2])
    await expect(engine.whenCapacity({ topic: T, partition: 0 })).resolves.toBeUndefined()
  })

  it('a second failure under stop-consumer does not stop twice', () => {
    const h = new ManualHandler()
    const { engine } = setup({ handler: h.handle, ordering: 'unordered', failure: { retries: 0, then: 'stop-consumer' } })
    const stops: string[] = []
    engine.on('consumer.stopped', (e) => stops.push(e.error.code))
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    h.call(0).reply.reject(new Error('a'))
    h.call(1).reply.reject(new Error('b'))
    return tick().then(() => expect(stops).toEqual(['HANDLER_FAILED']))
  })

  it('a throwing retry predicate or backoff function is logged, not fatal', async () => {
    const { engine, logger } = setup({
      handler: failing(9),
      failure: { retries: () => { throw new Error('predicate bug') }, then: 'skip' },
    })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    expect(engine.stats().partitions[0]?.watermark).toBe(1n)
    const other = setup({ handler: failing(1), failure: { retries: 1, backoff: () => { throw new Error('backoff bug') } } })
    other.engine.assigned([{ topic: T, partition: 0 }])
    other.engine.recordsArrived(records(T, 0, [0]))
    await other.clock.advanceAsync(0)
    expect(other.engine.stats().partitions[0]?.watermark).toBe(1n)
    expect(logger.lines.some((l) => l.message.startsWith('failure.retries threw'))).toBe(true)
    expect(other.logger.lines.some((l) => l.message.startsWith('failure.backoff threw'))).toBe(true)
  })

  it('non-Error throws are wrapped, never leaked raw', () => {
    // eslint-disable-next-line no-throw-literal -- user code may throw anything; core must wrap it
    const { engine } = setup({ handler: () => { throw 'a string' }, failure: { retries: 0, then: 'skip' } })
    const errors: unknown[] = []
    engine.on('record.failed', (e) => errors.push(e.error))
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    expect(errors[0]).toBeInstanceOf(ProcessingError)
    expect((errors[0] as ProcessingError).cause).toBe('a string')
    expect((errors[0] as ProcessingError).message).toContain('t[0]@0')
  })
})
