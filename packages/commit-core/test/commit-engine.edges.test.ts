import { describe, expect, it } from 'vitest'
import { ConfigError, createCommitEngine, commitOffsetFromBigInt } from '../src/index.js'
import { FakeClock } from '@offsetkit/commit-core/testing'
import { describeValue } from '../src/offsetkit-error.js'
import { FakePort, ManualHandler, T, records, setup, tick } from './harness.js'

// Paths the scenario tests do not reach deterministically.

const at = (n: number) => commitOffsetFromBigInt(BigInt(n))
const P0 = { topic: T, partition: 0 }
const P1 = { topic: T, partition: 1 }

describe('edges', () => {
  // Regression (found writing the node-rdkafka adapter): a fetch position reported for a
  // partition that drops arriving records stepped the watermark over records nobody processed.
  it('ignores fetch positions for a revoking partition, so dropped records are not committed', async () => {
    const h = new ManualHandler()
    const { engine, port } = setup({ handler: h.handle, commit: 'manual' })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    const revoking = engine.revoked([P0])
    engine.recordsArrived(records(T, 0, [1, 2]), { fetchPositions: [{ ...P0, offset: at(3) }] })
    engine.positionAdvanced(P0, at(3))
    h.call(0, 0).reply.resolve()
    await revoking
    expect(port.committed(T, 0)).toBe(1n)
  })

  it('ignores fetch positions while closing', async () => {
    const h = new ManualHandler()
    const { engine, port } = setup({ handler: h.handle, commit: 'manual' })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    const closing = engine.close()
    engine.recordsArrived(records(T, 0, [1]), { fetchPositions: [{ ...P0, offset: at(2) }] })
    h.call(0, 0).reply.resolve()
    await closing
    expect(port.committed(T, 0)).toBe(1n)
  })

  it('a dead-letter produce that finishes after the partition was lost is dropped', async () => {
    let release!: () => void
    const port = new FakePort({ deadLetter: true })
    port.deadLetter = () => new Promise<void>((resolve) => (release = resolve))
    const { engine } = setup({ handler: () => { throw new Error('x') }, failure: { retries: 0, then: 'dead-letter' } }, port)
    const dead: unknown[] = []
    engine.on('record.dead-lettered', (e) => dead.push(e))
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    engine.lost([P0])
    release()
    await tick()
    expect(dead).toEqual([])
    expect(engine.stats().running).toBe(0)
  })

  it('two dead-letter failures in one partition stop it once', async () => {
    const port = new FakePort({ deadLetter: true })
    port.deadLetterFails = true
    const { engine } = setup({ handler: () => { throw new Error('x') }, ordering: 'unordered', failure: { retries: 0, then: 'dead-letter' } }, port)
    const stops: string[] = []
    engine.on('partition.stopped', (e) => stops.push(String(e.record.offset)))
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1]))
    await tick()
    expect(stops).toEqual(['0', '1'])
    expect(port.pauses).toHaveLength(1)
  })

  it('revoking several partitions waits for the slowest, and the timeout aborts only those still running', async () => {
    const h = new ManualHandler()
    const { engine, clock } = setup({ handler: h.handle, drainTimeoutMs: 100, commit: 'manual' })
    engine.assigned([P0, P1])
    engine.recordsArrived([...records(T, 0, [0]), ...records(T, 1, [0])])
    const revoking = engine.revoked([P0, P1])
    h.call(0, 0).reply.resolve()
    await tick()
    await clock.advanceAsync(100)
    await revoking
    expect(h.call(0, 0).signal.reason).toMatchObject({ code: 'PARTITION_REVOKED' }) // aborted at release, after finishing
    expect(h.call(0, 1).signal.aborted).toBe(true)
  })

  it('releasing partitions while over the overall bound lifts the bound', async () => {
    const h = new ManualHandler()
    const { engine, port } = setup({ handler: h.handle, maxInFlight: 2, ordering: 'unordered' })
    engine.assigned([P0, P1])
    engine.recordsArrived([...records(T, 0, [0]), ...records(T, 1, [0])])
    expect(port.pauses.flat()).toHaveLength(2)
    engine.lost([P0])
    await tick()
    expect(port.resumes.flat()).toEqual([P0, P1]) // P0 before release (client hygiene), P1 by the bound
    await expect(engine.whenCapacity()).resolves.toBeUndefined()
  })

  it('whenCapacity resolves for everyone once close begins', async () => {
    const h = new ManualHandler()
    const { engine } = setup({ handler: h.handle, maxInFlight: 1 })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    let ready = false
    void engine.whenCapacity().then(() => (ready = true))
    const closing = engine.close()
    await tick()
    expect(ready).toBe(true)
    await expect(engine.whenCapacity()).resolves.toBeUndefined()
    h.call(0).reply.resolve()
    await closing
  })

  it('a retried revoke commit merges with a later revoke of another partition', async () => {
    const h = new ManualHandler()
    const port = new FakePort()
    port.autoReply = false
    const { engine, clock } = setup({ handler: h.handle, commit: 'manual', commitRetry: { retries: 2, backoff: () => 10 } }, port)
    engine.assigned([P0, P1])
    engine.recordsArrived([...records(T, 0, [0]), ...records(T, 1, [0])])
    h.call(0, 0).reply.resolve()
    h.call(0, 1).reply.resolve()
    await tick()
    const first = engine.revoked([P0])
    await tick()
    const second = engine.revoked([P1])
    await tick()
    port.answer('retriable')
    await clock.advanceAsync(10)
    expect(port.pending[0]?.request.offsets.map((o) => o.partition)).toEqual([0, 1])
    port.answer()
    await Promise.all([first, second])
    expect([port.committed(T, 0), port.committed(T, 1)]).toEqual([1n, 1n])
  })

  it('a seek to a later offset skips ahead and is committed as is', async () => {
    const { engine, port } = setup({ commit: 'manual' })
    engine.assigned([{ ...P0, position: at(3) }])
    engine.seek(P0, at(10))
    await engine.commit()
    expect(port.committed(T, 0)).toBe(10n)
  })

  it('describeValue covers values JSON cannot render', () => {
    expect(describeValue({ toJSON: () => undefined })).toBe('[object Object]')
    expect(describeValue(Object.create(null))).toBe('{}')
  })

  it('accepts options objects without a prototype', () => {
    const options = Object.assign(Object.create(null) as object, { port: new FakePort(), handler: () => {}, clock: new FakeClock() })
    expect(() => createCommitEngine(options as never)).not.toThrow()
    const bad = Object.assign(Object.create(null) as object, { port: new FakePort(), handler: () => {}, ordering: 'x' })
    expect(() => createCommitEngine(bad as never)).toThrow(ConfigError)
  })

  it('several listeners on one event all run', () => {
    const { engine } = setup()
    const seen: number[] = []
    engine.on('partition.assigned', () => seen.push(1))
    engine.on('partition.assigned', () => seen.push(2))
    engine.assigned([P0])
    expect(seen).toEqual([1, 2])
  })
})
