import { describe, expect, it } from 'vitest'
import { FakePort, ManualHandler, T, range, record, records, setup, tick } from './harness.js'

describe('dispatch', () => {
  it("ordering 'partition': one record at a time per partition, partitions in parallel", async () => {
    const h = new ManualHandler()
    const { engine } = setup({ handler: h.handle })
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived([...records(T, 0, [0, 1, 2]), ...records(T, 1, [0, 1])])
    expect(h.calls.map((c) => `${c.record.partition}@${c.record.offset}`)).toEqual(['0@0', '1@0'])
    h.call(0, 0).reply.resolve()
    await tick()
    expect(h.calls.map((c) => `${c.record.partition}@${c.record.offset}`)).toEqual(['0@0', '1@0', '0@1'])
  })

  it("ordering 'key': sequential per key, parallel across keys; keyless records share a lane", async () => {
    const h = new ManualHandler()
    const { engine } = setup({ handler: h.handle, ordering: 'key' })
    engine.assigned([{ topic: T, partition: 0 }])
    const bytes = (s: string) => new TextEncoder().encode(s)
    engine.recordsArrived([
      record(T, 0, 0, { key: 'a' }),
      record(T, 0, 1, { key: 'b' }),
      record(T, 0, 2, { key: 'a' }),
      record(T, 0, 3, { key: bytes('b') }),
      record(T, 0, 4, { key: null }),
      record(T, 0, 5),
    ])
    // a@0, b@1, bytes-b@3 (a byte key is its own lane), null@4; 2 waits for 0, 5 waits for 4
    expect(h.offsets()).toEqual([0n, 1n, 3n, 4n])
    h.call(0).reply.resolve()
    h.call(4).reply.resolve()
    await tick()
    expect(h.offsets()).toEqual([0n, 1n, 3n, 4n, 2n, 5n])
    for (const o of [1, 2, 3, 5]) h.call(o).reply.resolve()
    await tick()
    expect(engine.stats().partitions[0]).toMatchObject({ inFlight: 0, watermark: 6n })
  })

  it("ordering 'unordered': everything runs at once, bounded by concurrency", async () => {
    const h = new ManualHandler()
    const { engine } = setup({ handler: h.handle, ordering: 'unordered', concurrency: 3 })
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived([...records(T, 0, range(0, 5)), ...records(T, 1, [0])])
    expect(h.calls.length).toBe(3)
    expect(engine.stats().running).toBe(3)
    h.call(1).reply.resolve()
    await tick()
    expect(h.calls.length).toBe(4)
  })

  it('concurrency is shared fairly: partitions take turns', async () => {
    const seen: string[] = []
    const { engine } = setup({ handler: (r) => void seen.push(`${r.partition}@${r.offset}`), concurrency: 1 })
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived([...records(T, 0, [0, 1]), ...records(T, 1, [0, 1])])
    expect(seen).toEqual(['0@0', '1@0', '0@1', '1@1'])
  })

  it('synchronous handlers complete inline without recursion', () => {
    let calls = 0
    const { engine } = setup({ handler: () => void calls++ })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, range(0, 10_000)))
    expect(calls).toBe(10_000)
    expect(engine.stats().partitions[0]?.watermark).toBe(10_000n)
  })

  it('accepts any thenable from the handler', async () => {
    let resolveIt!: () => void
    const thenable = { then: (ok: () => void) => void (resolveIt = ok) } as unknown as PromiseLike<void>
    const { engine } = setup({ handler: () => thenable })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    expect(engine.stats().partitions[0]?.watermark).toBe(0n)
    resolveIt()
    await tick()
    expect(engine.stats().partitions[0]?.watermark).toBe(1n)
  })

  it('a thenable whose then() throws counts as a failed attempt', async () => {
    const { engine } = setup({ handler: () => ({ then: () => { throw new Error('bad thenable') } }), failure: 'skip' })
    const failed: string[] = []
    engine.on('record.failed', (e) => failed.push(e.action))
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    expect(failed).toEqual(['retry'])
  })

  it('drops records of unassigned partitions and duplicates, with a reason', () => {
    const { engine } = setup()
    const dropped: string[] = []
    engine.on('record.dropped', (e) => dropped.push(`${e.record.partition}@${e.record.offset}:${e.reason}`))
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived([...records(T, 0, [0, 1]), record(T, 9, 0), record(T, 0, 1), record(T, 0, 0)])
    expect(dropped).toEqual(['9@0:not-assigned', '0@1:duplicate', '0@0:duplicate'])
  })

  it('rejects a record with a non-bigint offset before tracking any of the batch', () => {
    const { engine } = setup()
    engine.assigned([{ topic: T, partition: 0 }])
    const bad = { ...record(T, 0, 1), offset: '1' as never }
    expect(() => engine.recordsArrived([record(T, 0, 0), bad])).toThrow(/Invalid offset/)
    expect(engine.stats().partitions[0]?.highestSeen).toBeUndefined()
    expect(() => engine.recordsArrived([], { fetchPositions: [{ topic: T, partition: 0, offset: -1n as never }] })).toThrow(/Invalid offset/)
  })
})

describe('flow control', () => {
  it('pauses a partition at its in-flight bound and resumes it at half', async () => {
    const h = new ManualHandler()
    const { engine, port } = setup({ handler: h.handle, maxInFlightPerPartition: 4 })
    const events: string[] = []
    engine.on('partitions.paused', (e) => events.push(`pause ${e.partitions.map((p) => p.partition).join()}`))
    engine.on('partitions.resumed', (e) => events.push(`resume ${e.partitions.map((p) => p.partition).join()}`))
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1, 2]))
    expect(port.pauses).toEqual([])
    engine.recordsArrived(records(T, 0, [3]))
    expect(port.pauses).toEqual([[{ topic: T, partition: 0 }]])
    h.call(0).reply.resolve()
    await tick()
    expect(port.resumes).toEqual([]) // 3 in flight > 2: hysteresis
    h.call(1).reply.resolve()
    await tick()
    expect(port.resumes).toEqual([[{ topic: T, partition: 0 }]])
    expect(events).toEqual(['pause 0', 'resume 0'])
  })

  it('pauses every partition at the overall bound', async () => {
    const h = new ManualHandler()
    const { engine, port } = setup({ handler: h.handle, maxInFlight: 4, ordering: 'unordered' })
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived([...records(T, 0, [0, 1]), ...records(T, 1, [0, 1])])
    expect(port.pauses.flat().map((p) => p.partition).sort()).toEqual([0, 1])
    let capacity = false
    void engine.whenCapacity().then(() => (capacity = true))
    await tick()
    expect(capacity).toBe(false)
    h.call(0, 0).reply.resolve()
    h.call(1, 0).reply.resolve()
    await tick()
    expect(capacity).toBe(true)
    expect(port.resumes.flat().map((p) => p.partition).sort()).toEqual([0, 1])
  })

  it('whenCapacity(partition) waits for that partition only', async () => {
    const h = new ManualHandler()
    const { engine } = setup({ handler: h.handle, maxInFlightPerPartition: 2 })
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    await expect(engine.whenCapacity({ topic: T, partition: 1 })).resolves.toBeUndefined()
    await expect(engine.whenCapacity({ topic: T, partition: 7 })).resolves.toBeUndefined()
    let ready = false
    void engine.whenCapacity({ topic: T, partition: 0 }).then(() => (ready = true))
    await tick()
    expect(ready).toBe(false)
    h.call(0).reply.resolve()
    await tick()
    expect(ready).toBe(true)
  })

  it('port pause/resume failures are logged, never thrown', async () => {
    const port = new FakePort()
    port.pause = () => {
      throw new Error('boom')
    }
    port.resume = () => Promise.reject(new Error('async boom'))
    const h = new ManualHandler()
    const { engine, logger } = setup({ handler: h.handle, maxInFlightPerPartition: 1 }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    h.call(0).reply.resolve()
    await tick()
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['port.pause failed', 'port.resume failed'])
  })

  it('whenIdle resolves once nothing runs, retries or commits', async () => {
    const h = new ManualHandler()
    const { engine } = setup({ handler: h.handle, commit: 'per-message-async' })
    await expect(engine.whenIdle()).resolves.toBeUndefined()
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    let idle = false
    void engine.whenIdle().then(() => (idle = true))
    await tick()
    expect(idle).toBe(false)
    h.call(0).reply.resolve()
    await tick()
    expect(idle).toBe(true)
  })
})
