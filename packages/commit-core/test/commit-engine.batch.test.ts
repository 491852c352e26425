import { describe, expect, it } from 'vitest'
import { ConfigError, type EngineRecord, type HandlerContext, type RecordBatch } from '../src/index.js'
import { deferred, type Deferred } from '@offsetkit/commit-core/testing'
import { FakePort, T, range, record, records, setup, tick } from './harness.js'

const P0 = { topic: T, partition: 0 }
const P1 = { topic: T, partition: 1 }

/** A batch handler whose calls the test settles by hand. */
class BatchCalls {
  readonly calls: Array<{ batch: RecordBatch<EngineRecord<string>>; context: HandlerContext; reply: Deferred }> = []

  readonly handle = (batch: EngineRecord<string>, context: HandlerContext): Promise<void> => {
    const reply = deferred()
    this.calls.push({ batch: batch as unknown as RecordBatch<EngineRecord<string>>, context, reply })
    return reply.promise
  }

  /** `partition:first-last` per call. */
  spans(): string[] {
    return this.calls.map(({ batch }) => `${batch.partition}:${batch.firstOffset}-${batch.lastOffset}`)
  }
}

describe('batch handler (batch: true)', () => {
  it('one call per partition run of a delivery, records in offset order; committed past only once the batch is done', async () => {
    const h = new BatchCalls()
    const { engine, port } = setup({ handler: h.handle, batch: true, commit: { every: 1 } })
    engine.assigned([P0, P1])
    engine.recordsArrived([...records(T, 0, [0, 1, 2]), ...records(T, 1, [5, 7]), ...records(T, 0, [3])])
    // p0's run is split by p1's: two batches of p0, the second waits for the first (partition order).
    expect(h.spans()).toEqual(['0:0-2', '1:5-7'])
    expect(h.calls[0]?.batch.records.map((r) => r.offset)).toEqual([0n, 1n, 2n])
    expect(engine.stats().partitions.find((p) => p.partition === 0)).toMatchObject({ inFlight: 4 })
    h.calls[1]?.reply.resolve()
    await tick()
    expect(port.committed(T, 1)).toBe(8n)
    // p0's watermark is still its first record (the start of its unfinished batch).
    expect(port.committed(T, 0)).toBe(0n)
    h.calls[0]?.reply.resolve()
    await tick()
    expect(h.spans()).toEqual(['0:0-2', '1:5-7', '0:3-3'])
    expect(port.committed(T, 0)).toBe(3n)
    h.calls[2]?.reply.resolve()
    await tick()
    expect(port.committed(T, 0)).toBe(4n)
    expect(engine.stats().inFlight).toBe(0)
  })

  it("unordered: batches of a partition run at once; the commit never passes an unfinished one", async () => {
    const h = new BatchCalls()
    const { engine, port } = setup({ handler: h.handle, batch: true, ordering: 'unordered', commit: { every: 1 } })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1]))
    engine.recordsArrived(records(T, 0, [2, 3, 4]))
    expect(h.spans()).toEqual(['0:0-1', '0:2-4'])
    h.calls[1]?.reply.resolve()
    await tick()
    expect(port.committed(T, 0) ?? 0n).toBe(0n)
    expect(engine.stats().partitions[0]).toMatchObject({ inFlight: 2, watermark: 0n })
    h.calls[0]?.reply.resolve()
    await tick()
    expect(port.committed(T, 0)).toBe(5n)
  })

  it('commit policies count records, not batches', async () => {
    const { engine, port } = setup({ handler: () => {}, batch: true, commit: { every: 10 } })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, range(0, 6)))
    await tick()
    expect(port.requests).toHaveLength(0)
    engine.recordsArrived(records(T, 0, range(6, 10)))
    await tick()
    expect(port.requests).toHaveLength(1)
    expect(port.committed(T, 0)).toBe(10n)
  })

  it('in-flight bounds count records: a batch over maxInFlightPerPartition pauses its partition until it is done', async () => {
    const h = new BatchCalls()
    const { engine, port } = setup({ handler: h.handle, batch: true, maxInFlightPerPartition: 4 })
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, range(0, 10)))
    expect(engine.stats().inFlight).toBe(10)
    expect(port.pauses).toEqual([[P0]])
    h.calls[0]?.reply.resolve()
    await tick()
    expect(port.resumes).toEqual([[P0]])
    expect(engine.stats().inFlight).toBe(0)
  })

  it('duplicates and records of partitions not owned are dropped one by one; the rest forms the batch', () => {
    const h = new BatchCalls()
    const { engine } = setup({ handler: h.handle, batch: true })
    const dropped: string[] = []
    engine.on('record.dropped', ({ record: r, reason }) => dropped.push(`${r.partition}@${r.offset} ${reason}`))
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1]))
    engine.recordsArrived([...records(T, 0, [1, 2, 2, 3]), record(T, 9, 0)])
    expect(h.spans()).toEqual(['0:0-1'])
    h.calls[0]?.reply.resolve()
    expect(dropped).toEqual(['0@1 duplicate', '0@2 duplicate', '9@0 not-assigned'])
  })

  it('a failed batch is retried whole, then dead-lettered record by record, and committed past', async () => {
    let attempts = 0
    const { engine, port, clock } = setup({
      handler: () => {
        attempts++
        throw new Error('boom')
      },
      batch: true,
      commit: { every: 1 },
      failure: { retries: 1, backoff: { initialMs: 0, maxMs: 0 }, then: 'dead-letter' },
    })
    const failed: string[] = []
    engine.on('record.failed', ({ record: r, attempt, action }) => failed.push(`${(r as unknown as RecordBatch).firstOffset}-${(r as unknown as RecordBatch).lastOffset} #${attempt} ${action}`))
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [4, 5, 7]))
    for (let i = 0; i < 5; i++) {
      clock.advance(10)
      await tick()
    }
    expect(attempts).toBe(2)
    expect(failed).toEqual(['4-7 #1 retry', '4-7 #2 dead-letter'])
    expect(port.deadLettered.map((d) => d.record.offset)).toEqual([4n, 5n, 7n])
    expect(port.committed(T, 0)).toBe(8n)
  })

  it('transactional: outputs of a batch go in the transaction that commits past it; held records count', async () => {
    const port = new FakePort({ transactional: true })
    const { engine } = setup({
      handler: (batch, context) => {
        for (const r of (batch as unknown as RecordBatch<EngineRecord<string>>).records) context.send('out', { value: `${r.offset}` })
      },
      batch: true,
      mode: 'transactional',
      commit: { every: 3 },
    }, port)
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1]))
    await tick()
    expect(port.requests).toHaveLength(0)
    expect(engine.stats().inFlight).toBe(2)
    engine.recordsArrived(records(T, 0, [2]))
    await tick()
    expect(port.requests).toHaveLength(1)
    expect(port.produced.map((o) => o.value)).toEqual(['0', '1', '2'])
    expect(port.committed(T, 0)).toBe(3n)
    expect(engine.stats().inFlight).toBe(0)
  })

  it("options: batch is a boolean; ordering 'key' is refused with a batch handler", () => {
    expect(() => setup({ batch: 'yes' as never })).toThrow(ConfigError)
    expect(() => setup({ batch: 'yes' as never })).toThrow(/batch/)
    let error: unknown
    try {
      setup({ batch: true, ordering: 'key' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).option).toBe('ordering')
    expect(String((error as Error).message)).toContain("'partition' or 'unordered'")
  })
})
