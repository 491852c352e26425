import { describe, expect, it } from 'vitest'
import {
  ClientError,
  ConfigError,
  ConsumerStateError,
  createOffsetkitConsumer,
  commitOffsetFromBigInt,
  noopLogger,
  offsetFromBigInt,
  type CommitEngine,
  type ConsumedRecord,
  type ConsumerDriver,
} from '../src/index.js'
import { FakeClock, flushMicrotasks } from '@offsetkit/commit-core/testing'
import { FakePort } from './harness.js'

/** A driver whose "client" is the test: it records lifecycle calls and exposes the engine. */
class FakeDriver implements ConsumerDriver<string> {
  readonly calls: string[] = []
  engine: CommitEngine<string> | undefined

  constructor(readonly port: FakePort = new FakePort()) {}

  async start(engine: CommitEngine<string>, topics: readonly string[]): Promise<void> {
    this.calls.push(`start:${topics.join(',')}`)
    this.engine = engine
    engine.assigned([{ topic: 't', partition: 0 }])
  }
  async stopFetching(): Promise<void> {
    this.calls.push('stopFetching')
  }
  async disconnect(): Promise<void> {
    this.calls.push('disconnect')
  }
}

function record(offset: number): ConsumedRecord<string> {
  return { topic: 't', partition: 0, offset: offsetFromBigInt(BigInt(offset)), key: null, value: null, headers: [], timestamp: 0, native: `m${offset}` }
}

describe('createOffsetkitConsumer', () => {
  it('rejects bad options at construction, before anything connects', () => {
    const driver = new FakeDriver()
    expect(() => createOffsetkitConsumer(driver, { commit: { every: 0 } })).toThrow(ConfigError)
    expect(() => createOffsetkitConsumer(driver, { ordering: 'random' as never })).toThrow(/ordering/)
    expect(driver.calls).toEqual([])
  })

  it('rejects bad run() input with a ConfigError naming the field', async () => {
    const consumer = createOffsetkitConsumer(new FakeDriver(), { clock: new FakeClock() })
    await expect(consumer.run({ topics: [], handler: () => undefined })).rejects.toMatchObject({ option: 'topics' })
    await expect(consumer.run({ topics: ['a', ''], handler: () => undefined })).rejects.toMatchObject({ option: 'topics[1]' })
    await expect(consumer.run({ topics: ['a'], handler: 'no' as never })).rejects.toMatchObject({ option: 'handler' })
    await expect(consumer.run({ topics: ['a'] } as never)).rejects.toMatchObject({ option: 'handler' })
    await expect(consumer.run({ topics: ['a'], batchHandler: 'no' as never })).rejects.toMatchObject({ option: 'batchHandler' })
    await expect(consumer.run({ topics: ['a'], handler: () => undefined, batchHandler: () => undefined } as never)).rejects.toMatchObject({ option: 'batchHandler' })
    await expect(consumer.run(undefined as never)).rejects.toBeInstanceOf(ConfigError)
    const keyed = createOffsetkitConsumer(new FakeDriver(), { clock: new FakeClock(), ordering: 'key' })
    await expect(keyed.run({ topics: ['a'], batchHandler: () => undefined })).rejects.toMatchObject({ option: 'ordering' })
  })

  it('batchHandler: one call per partition batch of ConsumedRecords, committed past on close', async () => {
    const driver = new FakeDriver()
    const consumer = createOffsetkitConsumer(driver, { clock: new FakeClock(), commit: 'manual' })
    const seen: string[] = []
    await consumer.run({
      topics: ['t'],
      batchHandler: (batch) => void seen.push(`${batch.topic}[${batch.partition}] ${batch.firstOffset}-${batch.lastOffset}: ${batch.records.map((r) => r.native).join(',')}`),
    })
    driver.engine!.recordsArrived([record(0), record(1), record(2)])
    await flushMicrotasks()
    expect(seen).toEqual(['t[0] 0-2: m0,m1,m2'])
    await consumer.close()
    expect(driver.port.committed('t', 0)).toBe(3n)
  })

  it('runs the handler with the consumed record, commits on demand, and closes in order', async () => {
    const driver = new FakeDriver()
    const clock = new FakeClock()
    const consumer = createOffsetkitConsumer(driver, { clock, commit: 'manual' })
    const seen: string[] = []
    const commits: string[] = []
    consumer.on('commit.succeeded', ({ request }) => commits.push(request.reason))
    await expect(consumer.commit()).rejects.toBeInstanceOf(ConsumerStateError)
    await consumer.run({ topics: ['t'], handler: (r) => void seen.push(r.native) })
    driver.engine!.recordsArrived([record(0), record(1)])
    await flushMicrotasks()
    expect(seen).toEqual(['m0', 'm1'])
    expect(consumer.stats().partitions[0]?.watermark).toBe(2n)

    await consumer.commit()
    expect(driver.port.committed('t', 0)).toBe(2n)

    driver.engine!.recordsArrived([record(2)])
    await flushMicrotasks()
    await consumer.close()
    expect(driver.port.committed('t', 0)).toBe(3n)
    await consumer.close() // idempotent
    expect(driver.calls).toEqual(['start:t', 'stopFetching', 'disconnect'])
    expect(commits).toEqual(['manual', 'close'])
    await expect(consumer.run({ topics: ['t'], handler: () => undefined })).rejects.toMatchObject({ code: 'CLOSED' })
    await expect(consumer.commit()).rejects.toMatchObject({ code: 'NOT_RUNNING' })
  })

  it('refuses a second run() and detaches listeners on demand', async () => {
    const driver = new FakeDriver()
    const consumer = createOffsetkitConsumer(driver, { clock: new FakeClock(), commit: 'manual' })
    await consumer.run({ topics: ['t'], handler: () => undefined })
    await expect(consumer.run({ topics: ['t'], handler: () => undefined })).rejects.toMatchObject({ code: 'ALREADY_RUNNING' })
    let events = 0
    const off = consumer.on('commit.succeeded', () => events++)
    driver.engine!.recordsArrived([record(0)])
    await flushMicrotasks()
    await consumer.commit()
    off()
    driver.engine!.recordsArrived([record(1)])
    await flushMicrotasks()
    await consumer.commit()
    expect(driver.port.committed('t', 0)).toBe(2n)
    expect(events).toBe(1)
    await consumer.close()
  })

  it('disconnects even when closed before run()', async () => {
    const driver = new FakeDriver()
    const consumer = createOffsetkitConsumer(driver, { clock: new FakeClock() })
    const off = consumer.on('commit.started', () => undefined)
    off()
    expect(consumer.stats()).toEqual({ partitions: [], inFlight: 0, running: 0, committing: false })
    await consumer.close()
    expect(driver.calls).toEqual(['disconnect'])
  })
})

describe('consumer health and liveness defaults', () => {
  it('health() follows the lifecycle: idle before run(), the engine status while running, closed after close()', async () => {
    const consumer = createOffsetkitConsumer(new FakeDriver(), { clock: new FakeClock(), logger: noopLogger })
    expect(consumer.health()).toMatchObject({ status: 'idle', state: 'idle', ownedPartitions: 0 })
    await consumer.run({ topics: ['t'], handler: () => undefined })
    expect(consumer.health()).toMatchObject({ status: 'ok', state: 'running', ownedPartitions: 1, reasons: [] })
    await consumer.close()
    expect(consumer.health()).toMatchObject({ status: 'closed', state: 'closed' })
  })

  it('watches for starved partitions by default (60 s), and logs it at warn through the default console logger', async () => {
    const warnings: unknown[][] = []
    const original = console.warn
    console.warn = (...args: unknown[]) => warnings.push(args)
    try {
      const driver = new FakeDriver()
      const clock = new FakeClock()
      const consumer = createOffsetkitConsumer(driver, { clock, commit: 'manual' })
      const starved: unknown[] = []
      consumer.on('partition.starved', ({ partitions }) => starved.push(...partitions))
      await consumer.run({ topics: ['t'], handler: () => undefined })
      driver.engine?.assigned([{ topic: 't', partition: 1, position: commitOffsetFromBigInt(0n) }])
      driver.engine?.endOffsetsKnown([{ topic: 't', partition: 1, offset: commitOffsetFromBigInt(10n) }])
      await clock.advanceAsync(59_000)
      expect(starved).toEqual([])
      await clock.advanceAsync(20_000)
      expect(starved).toMatchObject([{ topic: 't', partition: 1, position: 0n, endOffset: 10n }])
      expect(consumer.health().status).toBe('degraded')
      expect(warnings.some(([line]) => typeof line === 'string' && line.includes('warn: partitions deliver nothing'))).toBe(true)
      await consumer.close()
    } finally {
      console.warn = original
    }
  })

  it("onStall: 'close' closes the consumer once commits stall", async () => {
    const driver = new FakeDriver()
    const clock = new FakeClock()
    const consumer = createOffsetkitConsumer(driver, { clock, logger: noopLogger, commit: { every: 1 }, liveness: { commitStallMs: 1_000, onStall: 'close' } })
    await consumer.run({ topics: ['t'], handler: () => undefined })
    for (let i = 0; i < 4; i++) driver.port.failures.push('fenced')
    const seen: string[] = []
    for (const event of ['commit.failed', 'commit.stalled', 'closed'] as const) consumer.on(event, () => seen.push(event))
    driver.engine?.recordsArrived([record(0)])
    await flushMicrotasks()
    await clock.advanceAsync(2_000)
    // The close commit is refused too (fenced); the consumer still closes.
    expect(seen).toEqual(['commit.failed', 'commit.stalled', 'commit.failed', 'closed'])
    expect(driver.calls).toEqual(['start:t', 'stopFetching', 'disconnect'])
    expect(consumer.health().status).toBe('closed')
  })
})

describe("mode: 'transactional'", () => {
  it('a fatal transactional commit closes the consumer (it leaves the group), and close() rejects with it', async () => {
    const driver = new FakeDriver(new FakePort({ transactional: true }))
    const consumer = createOffsetkitConsumer(driver, { logger: noopLogger, mode: 'transactional', commit: { every: 1 } })
    const seen: string[] = []
    for (const event of ['commit.failed', 'closed'] as const) consumer.on(event, () => seen.push(event))
    await consumer.run({ topics: ['t'], handler: (_, context) => context.send('out', { value: 'x' }) })
    driver.port.failures.push('fatal', 'fatal')
    driver.engine?.recordsArrived([record(0)])
    await expect(consumer.close()).rejects.toMatchObject({ code: 'FATAL' })
    expect(seen).toEqual(['commit.failed', 'commit.failed', 'closed'])
    expect(driver.calls).toEqual(['start:t', 'stopFetching', 'disconnect'])
    // Nothing of the failed transactions was produced.
    expect(driver.port.produced).toEqual([])
  })
})

describe('a failed run()', () => {
  class FailingDriver extends FakeDriver {
    constructor(private readonly thrown: unknown) {
      super()
    }
    override async start(engine: CommitEngine<string>, topics: readonly string[]): Promise<void> {
      await super.start(engine, topics)
      throw this.thrown
    }
  }

  it('rejects with a ClientError wrapping a raw client error, cleans up, and a later close() resolves', async () => {
    const raw = Object.assign(new Error('Local: Broker transport failure sasl.password=hunter22'), { code: -195 })
    const driver = new FailingDriver(raw)
    const consumer = createOffsetkitConsumer(driver, { clock: new FakeClock(), logger: noopLogger })
    const error = await consumer.run({ topics: ['t'], handler: () => undefined }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientError)
    expect((error as ClientError).code).toBe('CLIENT_FAILED')
    expect(((error as ClientError).cause as { code: number }).code).toBe(-195)
    expect((error as ClientError).message).not.toContain('hunter22')
    expect(driver.calls).toEqual(['start:t', 'stopFetching', 'disconnect'])
    expect(consumer.health().status).toBe('closed')
    await expect(consumer.close()).resolves.toBeUndefined()
    expect(driver.calls).toEqual(['start:t', 'stopFetching', 'disconnect'])
    await expect(consumer.run({ topics: ['t'], handler: () => undefined })).rejects.toThrow(ConsumerStateError)
  })

  it('passes an OffsetkitError from the adapter through as it is, even when cleaning up fails', async () => {
    const mapped = new ClientError('TOPIC_NOT_FOUND', { topics: ['t'] })
    const driver = new FailingDriver(mapped)
    driver.disconnect = () => Promise.reject(new TypeError("Cannot read properties of null (reading 'unsubscribe')"))
    const consumer = createOffsetkitConsumer(driver, { clock: new FakeClock(), logger: noopLogger })
    await expect(consumer.run({ topics: ['t'], handler: () => undefined })).rejects.toBe(mapped)
    await expect(consumer.close()).resolves.toBeUndefined()
  })
})

describe('an unknown option', () => {
  it("lists only what a user sets (core's and the adapter's own), and suggests the nearest", () => {
    const error = (() => {
      try {
        createOffsetkitConsumer(new FakeDriver(), { fromBegining: true } as never, ['fromBeginning', 'deadLetter'])
      } catch (e) {
        return e as ConfigError
      }
      throw new Error('expected a ConfigError')
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect(error.option).toBe('options.fromBegining')
    expect(error.accepted).toMatch(/^no such option \(did you mean fromBeginning\?\); known options of options are logger, commit, /)
    expect(error.accepted).toContain('liveness, fromBeginning, deadLetter')
    for (const internal of ['port', 'handler', 'clock']) expect(error.accepted.split(/[ ,;]+/)).not.toContain(internal)
  })

  it('suggests nothing for a name far from every option, and still accepts the clock hook', () => {
    expect(() => createOffsetkitConsumer(new FakeDriver(), { x: 1 } as never)).toThrow(/^Invalid option options\.x: got 1; expected no such option; known/)
    expect(() => createOffsetkitConsumer(new FakeDriver(), { comit: 'manual' } as never)).toThrow(/did you mean commit\?/)
    expect(() => createOffsetkitConsumer(new FakeDriver(), { clock: new FakeClock() })).not.toThrow()
  })
})
