import { describe, expect, it } from 'vitest'
import { ConfigError, EngineError, type HandlerContext, type OutputRecord } from '../src/index.js'
import { FakePort, ManualHandler, T, records, setup, tick } from './harness.js'

const txPort = (): FakePort => new FakePort({ transactional: true })
const values = (outputs: readonly OutputRecord[]): string[] => outputs.map((o) => String(o.value))
/** A handler that sends one output per record: "<partition>@<offset>". */
const echo = (_: unknown, ctx: HandlerContext, r = _ as { partition: number; offset: bigint }): void => ctx.send('out', { value: `${r.partition}@${r.offset}` })

describe("mode: 'transactional' options", () => {
  it('needs a port with transactions, and a commit policy the engine drives', () => {
    expect(() => setup({ mode: 'transactional' }, new FakePort())).toThrow(ConfigError)
    expect(() => setup({ mode: 'transactional' }, new FakePort())).toThrow(/mode.*capabilities\.transactions/s)
    for (const commit of ['auto', 'none', 'per-message-async'] as const) {
      expect(() => setup({ mode: 'transactional', commit }, txPort())).toThrow(/commit/)
    }
    expect(() => setup({ mode: 'transactional', commit: 'per-message' }, txPort())).not.toThrow()
    expect(() => setup({ mode: 'exactly-once' as never }, txPort())).toThrow(/'at-least-once' or 'transactional'|transactional/)
  })

  it('dead-letter in transactional mode needs the port to build dead letters as outputs', () => {
    const port = txPort()
    delete port.deadLetterOutput
    expect(() => setup({ mode: 'transactional', failure: { then: 'dead-letter' } }, port)).toThrow(/deadLetterOutput/)
  })

  it('context.send outside transactional mode is a ConfigError naming mode', async () => {
    const errors: unknown[] = []
    const { engine } = setup({ handler: (_, ctx) => { try { ctx.send('out', { value: 'x' }) } catch (e) { errors.push(e) } } })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await tick()
    expect(errors[0]).toBeInstanceOf(ConfigError)
    expect((errors[0] as ConfigError).option).toBe('mode')
  })
})

describe("mode: 'transactional' commits", () => {
  it('one transaction carries the offsets and the outputs of exactly the records they cover', async () => {
    const port = txPort()
    const { engine } = setup({ mode: 'transactional', commit: { every: 3 }, handler: echo as never }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1, 2, 3]))
    await tick()
    expect(port.requests).toHaveLength(1)
    const [request] = port.requests
    expect(request?.offsets).toMatchObject([{ partition: 0, offset: 4n }])
    expect(request?.outputs?.map((o) => [o.partition, values(o.records)])).toEqual([[0, ['0@0', '0@1', '0@2', '0@3']]])
    expect(values(port.produced)).toEqual(['0@0', '0@1', '0@2', '0@3'])
    // Committed outputs are released: the close commit has nothing more to send.
    await engine.close()
    expect(values(port.produced)).toHaveLength(4)
  })

  it('out of order: outputs of a record past an unfinished one wait for the transaction that commits past it', async () => {
    const h = new ManualHandler()
    const port = txPort()
    const handler = (r: Parameters<ManualHandler['handle']>[0], ctx: HandlerContext) => {
      ctx.send('out', { value: `${r.offset}` })
      return h.handle(r, ctx)
    }
    const { engine } = setup({ mode: 'transactional', commit: 'per-message', ordering: 'unordered', handler }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1, 2]))
    h.call(2).reply.resolve()
    h.call(1).reply.resolve()
    await tick()
    // Record 0 is unfinished: the offset stays at 0 and nothing is produced.
    expect(port.requests.map((r) => r.offsets.map((o) => o.offset))).toEqual([[0n]])
    expect(port.produced).toEqual([])
    h.call(0).reply.resolve()
    await tick()
    expect(port.requests.map((r) => r.offsets.map((o) => o.offset))).toEqual([[0n], [3n]])
    expect(values(port.produced)).toEqual(['0', '1', '2'])
  })

  it('what a failed attempt sent is discarded; the retry sends afresh', async () => {
    const port = txPort()
    let calls = 0
    const handler = (_: unknown, ctx: HandlerContext): void => {
      calls++
      ctx.send('out', { value: `attempt ${ctx.attempt}` })
      if (ctx.attempt === 1) throw new Error('transient')
    }
    const { engine, clock } = setup({ mode: 'transactional', commit: 'per-message', handler, failure: { retries: 2, backoff: { initialMs: 10, maxMs: 10 } } }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await tick()
    await clock.advance(10)
    await tick()
    expect(calls).toBe(2)
    expect(values(port.produced)).toEqual(['attempt 2'])
  })

  it('a retriable failure (the port aborted) retries the same outputs in a new transaction; they are produced once', async () => {
    const port = txPort()
    port.failures = ['retriable']
    const { engine, clock } = setup({ mode: 'transactional', commit: { every: 2 }, handler: echo as never }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1]))
    await tick()
    expect(port.produced).toEqual([])
    await clock.advance(5_000)
    await tick()
    expect(port.requests).toHaveLength(2)
    expect(values(port.requests[1]?.outputs?.[0]?.records ?? [])).toEqual(['0@0', '0@1'])
    expect(values(port.produced)).toEqual(['0@0', '0@1'])
  })

  it('a lost partition takes its uncommitted outputs with it: the next owner reprocesses and sends them', async () => {
    const port = txPort()
    port.autoReply = false
    const { engine } = setup({ mode: 'transactional', commit: { every: 100 }, handler: echo as never }, port)
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived([...records(T, 0, [0, 1]), ...records(T, 1, [0])])
    await tick()
    engine.lost([{ topic: T, partition: 0 }])
    const closing = engine.close()
    await tick()
    port.answer()
    await closing
    expect(port.requests.map((r) => r.outputs?.map((o) => `${o.partition}:${values(o.records).join('|')}`))).toEqual([['1:1@0']])
    expect(values(port.produced)).toEqual(['1@0'])
  })

  it('a dead letter is an output of its record, produced in the transaction that commits past it', async () => {
    const port = txPort()
    const handler = (r: { offset: bigint }, ctx: HandlerContext): void => {
      if (r.offset === 1n) throw new Error('poison')
      ctx.send('out', { value: `ok ${r.offset}` })
    }
    const { engine } = setup({ mode: 'transactional', commit: { every: 3 }, handler: handler as never, failure: { retries: 0, then: 'dead-letter' } }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0, 1, 2]))
    await tick()
    await tick()
    expect(port.produced.map((o) => `${o.topic}:${String(o.value)}`)).toEqual(['out:ok 0', `${T}.dlq:${T}:0:1`, 'out:ok 2'])
    expect(port.committed(T, 0)).toBe(3n)
  })

  it('context.send checks its input and refuses a send after the record is done', async () => {
    const errors: unknown[] = []
    let late: HandlerContext | undefined
    const handler = (_: unknown, ctx: HandlerContext): void => {
      late = ctx
      for (const bad of [() => ctx.send('', { value: 'x' }), () => ctx.send('out', { value: 5 as never }), () => ctx.send('out', { value: 'x', partition: -1 }), () => ctx.send('out', { value: 'x', headers: { h: 1 as never } })]) {
        try {
          bad()
        } catch (e) {
          errors.push(e)
        }
      }
    }
    const { engine } = setup({ mode: 'transactional', commit: { every: 10 }, handler: handler as never }, txPort())
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, [0]))
    await tick()
    expect(errors.map((e) => (e as ConfigError).option)).toEqual(['send(topic)', 'send(out).messages[0].value', 'send(out).messages[0].partition', 'send(out).messages[0].headers.h'])
    expect(() => late?.send('out', { value: 'too late' })).toThrow(EngineError)
  })
})

describe("mode: 'transactional' flow control", () => {
  it('done records waiting for their transaction count as in flight: the bound pauses, a commit frees it', async () => {
    const port = txPort()
    port.autoReply = false
    // every: 1000 is above the bound: only the bound's own commit request can free room.
    const { engine } = setup({ mode: 'transactional', commit: { every: 1000 }, maxInFlightPerPartition: 10, handler: echo as never }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived(records(T, 0, Array.from({ length: 10 }, (_, i) => i)))
    await tick()
    expect(engine.stats().inFlight).toBe(10)
    expect(port.pauses).toEqual([[{ topic: T, partition: 0 }]])
    // Over the bound: a transaction is asked for although the policy's count is far off.
    expect(port.requests.map((r) => r.offsets.map((o) => o.offset))).toEqual([[10n]])
    port.answer()
    await tick()
    expect(engine.stats().inFlight).toBe(0)
    expect(port.resumes).toEqual([[{ topic: T, partition: 0 }]])
    expect(port.produced).toHaveLength(10)
  })
})
