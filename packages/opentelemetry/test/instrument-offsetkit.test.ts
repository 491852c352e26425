import { describe, expect, it, vi } from 'vitest'
import { metrics } from '@opentelemetry/api'
import {
  ConfigError,
  commitOffsetFromBigInt,
  createCommitEngine,
  createOffsetkitConsumer,
  noopLogger,
  offsetFromBigInt,
  type CommitEngine,
  type CommitEngineOptions,
  type ConsumerDriver,
  type EngineRecord,
  type RecordHandler,
} from '@offsetkit/commit-core'
import { FakeClock, FakePort, deferred, flushMicrotasks, type Deferred } from '@offsetkit/commit-core/testing'
import { OFFSETKIT_ATTRIBUTES as A, OFFSETKIT_METRICS as M, instrumentOffsetkit, type InstrumentOffsetkitOptions } from '../src/index.js'
import { collect, meterProviderWithReader } from './metrics-snapshot.js'

const T = 'orders'
const at = (n: number) => commitOffsetFromBigInt(BigInt(n))
const record = (partition: number, offset: number): EngineRecord<string> => ({ topic: T, partition, offset: offsetFromBigInt(BigInt(offset)), native: `${partition}:${offset}` })
const p = (partition: number) => ({ [A.topic]: T, [A.partition]: String(partition) })

function setup(options: Partial<CommitEngineOptions<string>> = {}, port = new FakePort({ deadLetter: true }), instrument: InstrumentOffsetkitOptions = {}) {
  const clock = new FakeClock(1_000)
  const engine: CommitEngine<string> = createCommitEngine<string>({ port, clock, logger: noopLogger, handler: () => {}, commit: 'manual', ...options })
  const { provider, reader } = meterProviderWithReader()
  const instrumentation = instrumentOffsetkit(engine, { meterProvider: provider, ...instrument })
  return { clock, port, engine, reader, instrumentation }
}

/** A handler whose calls the test settles by hand. */
function manualHandler(): { handle: RecordHandler<string>; replies: Deferred[] } {
  const replies: Deferred[] = []
  return {
    replies,
    handle: () => {
      const reply = deferred()
      replies.push(reply)
      return reply.promise
    },
  }
}

describe('commits', () => {
  it('three acknowledged commits: the counter says 3 and the duration histogram holds 3 points of the broker round trip', async () => {
    const port = new FakePort()
    port.autoReply = false
    const { engine, clock, reader } = setup({}, port)
    engine.assigned([{ topic: T, partition: 0 }])
    for (const [i, roundTripMs] of [4, 7, 30].entries()) {
      engine.recordsArrived([record(0, i)])
      await flushMicrotasks()
      const done = engine.commit()
      clock.advance(roundTripMs)
      port.answer('ok')
      await done
    }
    const snapshot = await collect(reader)
    const manual = { [A.commitReason]: 'manual', [A.commitSync]: true }
    expect(snapshot.value(M.commits, { ...manual, [A.commitOutcome]: 'succeeded' })).toBe(3)
    expect(snapshot.value(M.commits, { [A.commitOutcome]: 'failed' })).toBe(0)
    const [histogram, ...others] = snapshot.histogram(M.commitDuration, manual)
    expect(others).toEqual([])
    expect(histogram?.value).toMatchObject({ count: 3, sum: 41, min: 4, max: 30 })
    expect(snapshot.metric(M.commitDuration)?.descriptor.unit).toBe('ms')
  })

  it('counts failed attempts with the error code, its classification and whether core retries', async () => {
    const port = new FakePort()
    port.failures = ['retriable', 'fatal']
    const { engine, clock, reader } = setup({ commitRetry: { retries: 3 } }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived([record(0, 0)])
    await flushMicrotasks()
    const done = engine.commit()
    const settled = expect(done).rejects.toMatchObject({ code: 'FATAL' })
    await clock.advanceAsync(10_000) // past the retry's backoff
    await settled
    const snapshot = await collect(reader)
    const failed = { [A.commitOutcome]: 'failed' }
    expect(snapshot.value(M.commits, { ...failed, [A.errorType]: 'RETRIABLE', [A.commitErrorClassification]: 'retriable', [A.commitWillRetry]: true })).toBe(1)
    expect(snapshot.value(M.commits, { ...failed, [A.errorType]: 'FATAL', [A.commitErrorClassification]: 'fatal', [A.commitWillRetry]: false })).toBe(1)
    expect(snapshot.value(M.commits, { [A.commitOutcome]: 'succeeded' })).toBe(0)
    // Only acknowledged attempts carry a duration (the failed event has none).
    expect(snapshot.histogram(M.commitDuration)).toEqual([])
  })

  it('tells policy commits from the sync ones made at revoke', async () => {
    const { engine, reader } = setup({ commit: { every: 2 } })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived([record(0, 0), record(0, 1)])
    await flushMicrotasks()
    engine.recordsArrived([record(0, 2)])
    await flushMicrotasks()
    await engine.revoked([{ topic: T, partition: 0 }])
    const snapshot = await collect(reader)
    expect(snapshot.value(M.commits, { [A.commitReason]: 'policy', [A.commitSync]: false, [A.commitOutcome]: 'succeeded' })).toBe(1)
    expect(snapshot.value(M.commits, { [A.commitReason]: 'revoke', [A.commitSync]: true, [A.commitOutcome]: 'succeeded' })).toBe(1)
  })
})

describe('partition gauges', () => {
  it('lag is the log end the client reported minus the committed offset; the committed offset is the next offset to read', async () => {
    const { engine, reader } = setup()
    engine.assigned([{ topic: T, partition: 0, position: at(0) }, { topic: T, partition: 1, position: at(0) }])
    engine.recordsArrived([0, 1, 2].map((o) => record(0, o)))
    engine.recordsArrived([record(1, 0)])
    engine.endOffsetsKnown([{ topic: T, partition: 0, offset: at(10) }, { topic: T, partition: 1, offset: at(1) }])
    await flushMicrotasks()
    await engine.commit()
    const snapshot = await collect(reader)
    expect(snapshot.value(M.partitionCommittedOffset, p(0))).toBe(3)
    expect(snapshot.value(M.partitionEndOffset, p(0))).toBe(10)
    expect(snapshot.value(M.partitionLag, p(0))).toBe(7)
    expect(snapshot.value(M.partitionLag, p(1))).toBe(0)
    expect(snapshot.value(M.partitionsOwned)).toBe(2)
  })

  it('reports no lag or committed offset for a partition that never committed or never learned its end', async () => {
    const { engine, reader } = setup()
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.endOffsetsKnown([{ topic: T, partition: 0, offset: at(10) }])
    engine.recordsArrived([record(1, 0)])
    await flushMicrotasks()
    await engine.commit()
    const snapshot = await collect(reader)
    expect(snapshot.points(M.partitionLag)).toEqual([])
    expect(snapshot.points(M.partitionCommittedOffset).map((pt) => pt.attributes[A.partition])).toEqual(['1'])
  })

  // The JS SDK keeps exporting a cumulative async series its callback stopped reporting
  // (open-telemetry/opentelemetry-js#4096): without a last 0, a revoked partition showed its lag forever.
  it('a revoked partition reports lag and in-flight 0 once, then nothing', async () => {
    const h = manualHandler()
    const { engine, reader } = setup({ handler: h.handle, drainTimeoutMs: 100 })
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived([record(0, 0), record(0, 1)])
    engine.endOffsetsKnown([{ topic: T, partition: 0, offset: at(9) }])
    h.replies[0]?.resolve()
    await flushMicrotasks()
    await engine.commit()
    let snapshot = await collect(reader)
    expect(snapshot.value(M.partitionLag, p(0))).toBe(8)
    expect(snapshot.value(M.recordsInFlight, p(0))).toBe(1)
    const revoked = engine.revoked([{ topic: T, partition: 0 }])
    h.replies[1]?.resolve()
    await revoked
    expect(engine.stats().partitions.map((s) => s.partition)).toEqual([1])
    snapshot = await collect(reader)
    expect(snapshot.value(M.partitionLag, p(0))).toBe(0)
    expect(snapshot.value(M.recordsInFlight, p(0))).toBe(0)
    expect(snapshot.value(M.recordsOldestInFlightAge, p(0))).toBe(0)
    snapshot = await collect(reader)
    expect(snapshot.value(M.partitionLag, p(0))).toBe(0)
  })

  it('in-flight records and the oldest one’s age, per partition, from stats()', async () => {
    const h = manualHandler()
    const { engine, clock, reader } = setup({ handler: h.handle, ordering: 'unordered' })
    engine.assigned([{ topic: T, partition: 0 }, { topic: T, partition: 1 }])
    engine.recordsArrived([record(0, 0), record(0, 1)])
    clock.advance(500)
    engine.recordsArrived([record(1, 0)])
    clock.advance(250)
    await flushMicrotasks()
    let snapshot = await collect(reader)
    expect(snapshot.value(M.recordsInFlight)).toBe(3)
    expect(snapshot.value(M.recordsInFlight, p(0))).toBe(2)
    expect(snapshot.value(M.recordsOldestInFlightAge, p(0))).toBe(750)
    expect(snapshot.value(M.recordsOldestInFlightAge, p(1))).toBe(250)
    for (const reply of h.replies) reply.resolve()
    await flushMicrotasks()
    snapshot = await collect(reader)
    expect(snapshot.value(M.recordsInFlight)).toBe(0)
    expect(snapshot.value(M.recordsOldestInFlightAge, p(0))).toBe(0)
  })
})

describe('records', () => {
  it('counts failed attempts by action, and the dead-lettered record', async () => {
    const { engine, clock, reader, port } = setup({
      handler: () => Promise.reject(new Error('boom')),
      failure: { retries: 1, backoff: { initialMs: 10, maxMs: 10 }, then: 'dead-letter' },
    })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived([record(0, 0)])
    await clock.runAllAsync()
    expect(port.deadLettered).toHaveLength(1)
    const snapshot = await collect(reader)
    expect(snapshot.value(M.recordsFailed, { ...p(0), [A.errorType]: 'HANDLER_FAILED', [A.recordFailureAction]: 'retry' })).toBe(1)
    expect(snapshot.value(M.recordsFailed, { ...p(0), [A.recordFailureAction]: 'dead-letter' })).toBe(1)
    expect(snapshot.value(M.recordsDeadLettered, p(0))).toBe(1)
    expect(snapshot.value(M.recordsSkipped)).toBe(0)
  })

  it('counts skipped and dropped records', async () => {
    const { engine, clock, reader } = setup({ handler: () => Promise.reject(new Error('boom')), failure: { retries: 0, then: 'skip' } })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived([record(0, 0)])
    engine.recordsArrived([record(0, 0)]) // redelivered: a duplicate in this epoch
    engine.recordsArrived([record(7, 0)]) // a partition this engine does not own
    await clock.runAllAsync()
    const snapshot = await collect(reader)
    expect(snapshot.value(M.recordsSkipped, p(0))).toBe(1)
    expect(snapshot.value(M.recordsDropped, { ...p(0), [A.recordDropReason]: 'duplicate' })).toBe(1)
    expect(snapshot.value(M.recordsDropped, { ...p(7), [A.recordDropReason]: 'not-assigned' })).toBe(1)
  })
})

describe('health gauges', () => {
  it('a commit that never settles shows as a stalled partition (commit-hung), and clears when it does', async () => {
    const port = new FakePort()
    port.autoReply = false
    const { engine, clock, reader } = setup({ commit: { every: 1 }, liveness: { commitStallMs: 1_000 } }, port)
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived([record(0, 0)])
    await flushMicrotasks()
    await clock.advanceAsync(1_500)
    let snapshot = await collect(reader)
    expect(snapshot.value(M.partitionsStalled, { [A.stallReason]: 'commit-hung' })).toBe(1)
    expect(snapshot.value(M.partitionsStalled)).toBe(1)
    expect(snapshot.value(M.consumerStatus, { [A.healthStatus]: 'degraded' })).toBe(1)
    expect(snapshot.value(M.consumerStatus)).toBe(1)
    port.answer('ok')
    await flushMicrotasks()
    snapshot = await collect(reader)
    expect(snapshot.value(M.partitionsStalled)).toBe(0)
    expect(snapshot.value(M.consumerStatus, { [A.healthStatus]: 'ok' })).toBe(1)
  })

  it('a partition with records to read that delivers none shows as starved', async () => {
    const { engine, clock, reader } = setup({ liveness: { starvationMs: 1_000 } })
    engine.assigned([{ topic: T, partition: 0, position: at(0) }])
    engine.endOffsetsKnown([{ topic: T, partition: 0, offset: at(50) }])
    await clock.advanceAsync(1_500)
    const snapshot = await collect(reader)
    expect(snapshot.value(M.partitionsStarved)).toBe(1)
    expect(snapshot.value(M.partitionLag, p(0))).toBe(0) // nothing committed yet: no lag point at all
  })

  it('a partition of the group that no member moves, not owned here, shows as group-stalled', async () => {
    const port = new FakePort({ deadLetter: true })
    Object.assign(port, { queryGroupOffsets: async () => [{ topic: T, partition: 3, start: at(5), end: at(40) }] })
    const { clock, reader } = setup({ liveness: { groupStallMs: 1_000 } }, port)
    let snapshot = await collect(reader)
    expect(snapshot.value(M.partitionsGroupStalled)).toBe(0)
    await clock.advanceAsync(1_600)
    snapshot = await collect(reader)
    expect(snapshot.value(M.partitionsGroupStalled)).toBe(1)
  })

  it('a partition stopped by the failure policy is counted', async () => {
    const { engine, clock, reader } = setup({ handler: () => Promise.reject(new Error('boom')), failure: { retries: 0, then: 'stop' } })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived([record(0, 0)])
    await clock.runAllAsync()
    expect((await collect(reader)).value(M.partitionsStopped)).toBe(1)
  })

  it('time since the last acknowledged commit', async () => {
    const { engine, clock, reader } = setup()
    engine.assigned([{ topic: T, partition: 0 }])
    expect((await collect(reader)).points(M.commitAge)).toEqual([])
    engine.recordsArrived([record(0, 0)])
    await flushMicrotasks()
    await engine.commit()
    clock.advance(2_000)
    expect((await collect(reader)).value(M.commitAge)).toBe(2_000)
  })

  it('client failures are counted with whether the client restarts', async () => {
    const { engine, reader } = setup()
    engine.clientFailed(new Error('crashed'), { restarting: true })
    engine.clientFailed(new Error('dead'), { restarting: false })
    const snapshot = await collect(reader)
    expect(snapshot.value(M.clientFailures, { [A.clientRestarting]: true })).toBe(1)
    expect(snapshot.value(M.clientFailures, { [A.clientRestarting]: false })).toBe(1)
    expect(snapshot.value(M.consumerStatus, { [A.healthStatus]: 'failed' })).toBe(1)
  })
})

describe('instrumentOffsetkit', () => {
  it('adds the given attributes to every point and names the meter', async () => {
    const { engine, reader } = setup({}, new FakePort(), { meterName: 'orders-service', attributes: { 'messaging.consumer.group.name': 'g1' } })
    engine.assigned([{ topic: T, partition: 0 }])
    engine.recordsArrived([record(0, 0)])
    await flushMicrotasks()
    await engine.commit()
    const { resourceMetrics } = await reader.collect()
    expect(resourceMetrics.scopeMetrics.map((s) => s.scope.name)).toEqual(['orders-service'])
    const attributes = (await collect(reader)).allAttributes()
    expect(attributes.length).toBeGreaterThan(5)
    for (const a of attributes) expect(a['messaging.consumer.group.name']).toBe('g1')
  })

  it('close() removes the listeners and the gauges’ callback', async () => {
    const { engine, reader, instrumentation } = setup()
    engine.assigned([{ topic: T, partition: 0 }])
    const stats = vi.spyOn(engine, 'stats')
    const health = vi.spyOn(engine, 'health')
    await collect(reader)
    expect(stats).toHaveBeenCalledTimes(1)
    expect(health).toHaveBeenCalledTimes(1)
    instrumentation.close()
    instrumentation.close()
    engine.recordsArrived([record(0, 0)])
    await flushMicrotasks()
    await engine.commit()
    const snapshot = await collect(reader)
    expect(stats).toHaveBeenCalledTimes(1)
    expect(health).toHaveBeenCalledTimes(1)
    expect(snapshot.value(M.commits)).toBe(0)
  })

  it('uses the global MeterProvider when none is given', async () => {
    const { provider, reader } = meterProviderWithReader()
    metrics.setGlobalMeterProvider(provider)
    try {
      const engine = createCommitEngine<string>({ port: new FakePort(), clock: new FakeClock(), logger: noopLogger, handler: () => {} })
      instrumentOffsetkit(engine)
      engine.assigned([{ topic: T, partition: 0 }])
      expect((await collect(reader)).value(M.partitionsOwned)).toBe(1)
    } finally {
      metrics.disable()
    }
  })

  it('instruments a consumer before run(): its listeners attach when it starts', async () => {
    const port = new FakePort()
    let started: CommitEngine<string> | undefined
    const driver: ConsumerDriver<string> = {
      port,
      start: async (engine) => {
        started = engine
        engine.assigned([{ topic: T, partition: 0 }])
      },
      stopFetching: async () => {},
      disconnect: async () => {},
    }
    const consumer = createOffsetkitConsumer(driver, { clock: new FakeClock(), logger: noopLogger, commit: 'manual' })
    const { provider, reader } = meterProviderWithReader()
    instrumentOffsetkit(consumer, { meterProvider: provider })
    expect((await collect(reader)).value(M.consumerStatus, { [A.healthStatus]: 'idle' })).toBe(1)
    await consumer.run({ topics: [T], handler: () => {} })
    started?.recordsArrived([record(0, 0)])
    await flushMicrotasks()
    await consumer.commit()
    const snapshot = await collect(reader)
    expect(snapshot.value(M.commits, { [A.commitOutcome]: 'succeeded' })).toBe(1)
    expect(snapshot.value(M.partitionCommittedOffset, p(0))).toBe(1)
    await consumer.close()
    expect((await collect(reader)).value(M.consumerStatus, { [A.healthStatus]: 'closed' })).toBe(1)
  })

  it('rejects what it cannot instrument, and unknown options, with a ConfigError', () => {
    const { engine } = setup()
    expect(() => instrumentOffsetkit({} as never)).toThrow(ConfigError)
    expect(() => instrumentOffsetkit(engine, { meterProvider: {} as never })).toThrow(/meterProvider/)
    expect(() => instrumentOffsetkit(engine, { meterName: '' })).toThrow(/meterName/)
    expect(() => instrumentOffsetkit(engine, { meter: 'x' } as never)).toThrow(/meter: .*no such option/)
  })
})
