import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  commitOffsetFromBigInt,
  createCommitEngine,
  FakeClock,
  flushMicrotasks,
  offsetFromBigInt,
  type ClientPort,
  type CommitErrorClass,
  type CommitPolicyOption,
  type CommitRequest,
  type EngineRecord,
  type FailureAction,
  type Ordering,
  type RecordBatch,
} from '../src/index.js'
import { fcParams } from './fc-params.js'

/*
 * Model-based test: random interleavings of records arriving (with gaps and duplicates),
 * completions in any order, failures, revoke/lost/assign, seeks, batch ends, manual commits,
 * fetch-position jumps, clock advances and commit replies (ok or any error class), against an
 * independent model of what is done. Invariants, checked on every commit and offset store:
 * - a commit never passes an unfinished record;
 * - within an assignment epoch commits never regress, and they stay inside what that epoch saw
 *   (so nothing from a stale epoch is committed), and only for owned partitions;
 * - at most one commit is in flight;
 * - when a partition's dispatch ends (revoke, close), its final watermark is exactly the
 *   contiguous done prefix (stepping over gaps), and that is what gets committed;
 * - after everything is finished, no partition is stalled by a gap; no timer is leaked.
 */

const TOPIC = 't'
const PARTITIONS = 3
const MAX_ATTEMPTS = 2

type Op =
  | { t: 'deliver'; p: number; count: number; gaps: number[]; dup: boolean; ahead: number; keys: number[] }
  | { t: 'complete'; pick: number }
  | { t: 'fail'; pick: number }
  | { t: 'reply'; outcome: 'ok' | CommitErrorClass }
  | { t: 'advance'; ms: number }
  | { t: 'revoke'; p: number }
  | { t: 'lost'; p: number }
  | { t: 'assign'; p: number; ahead: number }
  | { t: 'seek'; p: number; back: number }
  | { t: 'position'; p: number; ahead: number }
  | { t: 'batchEnd' }
  | { t: 'commit' }

const partition = fc.integer({ min: 0, max: PARTITIONS - 1 })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('deliver' as const), p: partition, count: fc.integer({ min: 1, max: 4 }), gaps: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }), dup: fc.boolean(), ahead: fc.integer({ min: 0, max: 3 }), keys: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }) }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('complete' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fail' as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('reply' as const), outcome: fc.constantFrom('ok', 'ok', 'ok', 'retriable', 'rebalance', 'fenced', 'fatal') }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 120 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('revoke' as const), p: partition }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('lost' as const), p: partition }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('assign' as const), p: partition, ahead: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('seek' as const), p: partition, back: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('position' as const), p: partition, ahead: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'batchEnd' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'commit' as const }) },
)

const configArb = fc.record({
  ordering: fc.constantFrom<Ordering>('partition', 'key', 'unordered'),
  commit: fc.constantFrom<CommitPolicyOption>('per-message', 'per-message-async', { every: 3 }, { interval: 100 }, { every: 2, interval: 50 }, 'batch', 'manual', 'auto'),
  then: fc.constantFrom<FailureAction>('skip', 'dead-letter', 'stop'),
  maxInFlightPerPartition: fc.integer({ min: 1, max: 6 }),
  concurrency: fc.integer({ min: 1, max: 8 }),
  /** 'handler', or 'manual' acking through the context or through engine.ack(record). */
  ack: fc.constantFrom('handler', 'context', 'engine'),
  /** A batch handler: each partition run of a delivery is one unit (ordering 'key' becomes 'partition'). */
  batch: fc.boolean(),
})

interface Invocation {
  /** The record, or the batch (batch handler). */
  readonly record: EngineRecord<null>
  /** The offsets it stands for: the record's, or every record's of the batch. */
  readonly offsets: readonly bigint[]
  readonly attempt: number
  readonly epoch: number
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
  readonly ack: () => boolean
  settled: boolean
}

interface Sent {
  readonly offset: bigint
  outcome: 'pending' | 'ok' | CommitErrorClass
}

interface Part {
  status: 'no' | 'yes' | 'revoking'
  epoch: number
  engineEpoch: number
  start: bigint | undefined
  arrived: Set<bigint>
  done: Set<bigint>
  highest: bigint | undefined
  fetchPos: bigint | undefined
  next: bigint
  stopped: boolean
  frozen: boolean
  frozenWatermark: bigint | undefined
  sent: Sent[]
  broker: bigint
}

function newPart(): Part {
  return {
    status: 'no', epoch: 0, engineEpoch: 0, start: undefined, arrived: new Set(), done: new Set(), highest: undefined,
    fetchPos: undefined, next: 0n, stopped: false, frozen: false, frozenWatermark: undefined, sent: [], broker: 0n,
  }
}

function maxOf(...values: Array<bigint | undefined>): bigint | undefined {
  let best: bigint | undefined
  for (const v of values) if (v !== undefined && (best === undefined || v > best)) best = v
  return best
}

/** The model's watermark: lowest unfinished offset, else past everything known (gaps included). */
function expectedWatermark(part: Part): bigint | undefined {
  let lowest: bigint | undefined
  for (const o of part.arrived) if (!part.done.has(o) && (lowest === undefined || o < lowest)) lowest = o
  if (lowest !== undefined) return lowest
  return maxOf(part.highest === undefined ? undefined : part.highest + 1n, part.fetchPos, part.start)
}

type Config = typeof configArb extends fc.Arbitrary<infer C> ? C : never

async function runScenario(config: Config, ops: Op[]): Promise<void> {
  const clock = new FakeClock(0)
  const parts = Array.from({ length: PARTITIONS }, newPart)
  const invocations: Invocation[] = []
  const pendingCommits: Array<{ request: CommitRequest; sent: Sent[]; resolve: () => void; reject: (e: unknown) => void }> = []
  const revokes: Array<Promise<void>> = []
  let outstanding = 0
  let modelEpochs = 0
  let closing = false
  // The engine takes fetch positions only where it still accepts records.
  const acceptsPositions = (part: Part): boolean => !part.frozen && part.status === 'yes' && !part.stopped && !closing
  // Checks inside callbacks must not throw: the engine would (rightly) treat that as a handler
  // or port failure. They record violations, which are raised after every step.
  const violations: string[] = []
  const check = (ok: boolean, message: string): void => {
    if (!ok) violations.push(message)
  }
  const raise = (step: string): void => {
    if (violations.length > 0) throw new Error(`${step}: ${violations.join('; ')}`)
  }

  const checkSafe = (where: string, p: number, offset: bigint): void => {
    const part = parts[p]!
    check(part.status !== 'no', `${where}: partition ${p} must be owned`)
    for (const o of part.arrived) check(!(o < offset && !part.done.has(o)), `${where}: ${p}@${offset} passes unfinished record ${o}`)
    const upper = maxOf(part.highest === undefined ? undefined : part.highest + 1n, part.fetchPos, part.start)
    check(upper !== undefined && offset <= upper, `${where}: ${p}@${offset} beyond what epoch ${part.epoch} saw (${upper})`)
    if (part.start !== undefined) check(offset >= part.start, `${where}: ${p}@${offset} below epoch start ${part.start}`)
  }

  const port: ClientPort<null> = {
    capabilities: { leaderEpoch: false, commitMetadata: false, transactions: false },
    commit(request) {
      check(outstanding === 0, 'more than one commit in flight')
      outstanding++
      const sent: Sent[] = []
      for (const entry of request.offsets) {
        checkSafe(`commit(${request.reason})`, entry.partition, entry.offset)
        const part = parts[entry.partition]!
        const last = part.sent.at(-1)
        if (last !== undefined) check(entry.offset >= last.offset, `commit regressed within epoch: ${entry.partition}@${entry.offset} < ${last.offset}`)
        const s: Sent = { offset: entry.offset, outcome: 'pending' }
        part.sent.push(s)
        sent.push(s)
      }
      return new Promise<void>((resolve, reject) => {
        pendingCommits.push({ request, sent, resolve, reject })
      })
    },
    classifyCommitError: (error) => (error as { cls: CommitErrorClass }).cls,
    pause: () => {},
    resume: () => {},
    deadLetter: async (record) => {
      const part = parts[record.partition]!
      const epoch = part.epoch
      await Promise.resolve()
      if (part.epoch === epoch && !part.frozen && part.status !== 'no') part.done.add(record.offset)
    },
    storeOffsets: (offsets) => {
      for (const entry of offsets) checkSafe('storeOffsets', entry.partition, entry.offset)
    },
  }

  const ordering: Ordering = config.batch && config.ordering === 'key' ? 'partition' : config.ordering
  const engine = createCommitEngine<null>({
    port,
    clock,
    batch: config.batch,
    ordering,
    commit: config.commit,
    maxInFlightPerPartition: config.maxInFlightPerPartition,
    concurrency: config.concurrency,
    ack: config.ack === 'handler' ? 'handler' : 'manual',
    drainTimeoutMs: 200,
    failure: { retries: MAX_ATTEMPTS - 1, backoff: () => 10, then: config.then },
    commitRetry: { retries: 2, backoff: () => 5 },
    handler: (record, context) => {
      const part = parts[record.partition]!
      const members = config.batch ? (record as unknown as RecordBatch<EngineRecord<null>>).records : [record]
      check(members.length > 0, `empty batch at ${record.partition}@${record.offset}`)
      check(part.status === 'yes' && !part.stopped, `dispatch of ${record.partition}@${record.offset} while not active`)
      for (const member of members) {
        check(member.partition === record.partition, `batch of ${record.partition} holds a record of ${member.partition}`)
        check(part.arrived.has(member.offset) && !part.done.has(member.offset), `dispatch of ${record.partition}@${member.offset}: not tracked or already done`)
      }
      const running = invocations.filter((i) => !i.settled && i.epoch === part.epoch && i.record.partition === record.partition)
      if (ordering === 'partition') check(running.length === 0, `partition ordering broken at ${record.partition}@${record.offset}`)
      if (ordering === 'key') check(running.every((i) => i.record.key !== record.key), `key ordering broken at ${record.partition}@${record.offset}`)
      return new Promise<void>((resolve, reject) => {
        const ack = config.ack === 'engine' ? () => engine.ack(record) : () => context.ack()
        invocations.push({ record, offsets: members.map((m) => m.offset), attempt: context.attempt, epoch: part.epoch, resolve, reject, ack, settled: false })
      })
    },
  })

  engine.on('partition.assigned', (e) => {
    parts[e.partition]!.engineEpoch = e.epoch
  })
  engine.on('partition.reset', (e) => {
    parts[e.partition]!.engineEpoch = e.epoch
  })
  engine.on('partition.drained', (e) => {
    const part = parts[e.partition]!
    check(e.epoch === part.engineEpoch, `drained event for epoch ${e.epoch}, current ${part.engineEpoch}`)
    const expected = expectedWatermark(part)
    check(e.watermark === expected, `final watermark of ${e.partition} is ${e.watermark}, the done prefix ends at ${expected}`)
    part.frozen = true
    part.frozenWatermark = e.watermark
  })

  const assign = (p: number, position: bigint | undefined): void => {
    const part = parts[p]!
    Object.assign(part, newPart(), { broker: part.broker })
    part.status = 'yes'
    part.epoch = ++modelEpochs
    part.start = position
    part.next = position ?? 0n
    part.fetchPos = position
    engine.assigned([{ topic: TOPIC, partition: p, position: position === undefined ? undefined : commitOffsetFromBigInt(position) }])
  }

  /** After a revoke or close: the last commit of the epoch, if it got through, carries the final watermark. */
  const checkFinalCommit = (part: Part): void => {
    if (part.frozenWatermark === undefined) return
    const last = part.sent.at(-1)
    check(last !== undefined, `final watermark ${part.frozenWatermark} was never committed`)
    if (last !== undefined && last.outcome === 'ok') check(last.offset === part.frozenWatermark, `final commit ${last.offset} != final watermark ${part.frozenWatermark}`)
  }

  const settleInvocation = (inv: Invocation, ok: boolean): void => {
    inv.settled = true
    const part = parts[inv.record.partition]!
    const current = inv.epoch === part.epoch && !part.frozen && part.status !== 'no'
    if (ok) {
      if (current) for (const offset of inv.offsets) part.done.add(offset)
      if (config.ack !== 'handler') check(inv.ack() === current, `ack() of ${inv.record.partition}@${inv.record.offset} answered ${!current}`)
      inv.resolve()
      return
    }
    if (current && part.status === 'yes' && !part.stopped && !closing && inv.attempt >= MAX_ATTEMPTS) {
      if (config.then === 'skip') for (const offset of inv.offsets) part.done.add(offset)
      if (config.then === 'stop') part.stopped = true
    }
    inv.reject(new Error(`boom ${inv.record.offset}`))
  }

  const answer = (outcome: 'ok' | CommitErrorClass): void => {
    const next = pendingCommits.shift()
    if (next === undefined) return
    outstanding--
    for (const s of next.sent) s.outcome = outcome
    if (outcome === 'ok') next.resolve()
    else next.reject({ cls: outcome })
  }

  const revoke = (p: number): void => {
    const part = parts[p]!
    const epoch = part.epoch
    part.status = 'revoking'
    revokes.push(
      engine.revoked([{ topic: TOPIC, partition: p }]).then(() => {
        if (part.epoch !== epoch || part.status !== 'revoking') return // lost meanwhile
        checkFinalCommit(part)
        part.status = 'no'
        const committed = [...part.sent].reverse().find((s) => s.outcome === 'ok')
        if (committed !== undefined) part.broker = committed.offset
      }),
    )
  }

  /** The engine's gauges agree with the model for every active partition. */
  const checkGauges = (): void => {
    const stats = engine.stats()
    for (let p = 0; p < PARTITIONS; p++) {
      const part = parts[p]!
      if (part.status !== 'yes') continue
      const gauge = stats.partitions.find((g) => g.partition === p)
      const open = [...part.arrived].filter((o) => !part.done.has(o)).length
      check(gauge?.watermark === expectedWatermark(part), `partition ${p} watermark ${gauge?.watermark} != model ${expectedWatermark(part)}`)
      check(gauge?.inFlight === open, `partition ${p} in flight ${gauge?.inFlight} != model ${open}`)
    }
    const total = parts.filter((part) => part.status !== 'no').reduce((n, part) => n + [...part.arrived].filter((o) => !part.done.has(o)).length, 0)
    if (parts.every((part) => !part.frozen)) check(stats.inFlight === total, `total in flight ${stats.inFlight} != model ${total}`)
  }

  for (let p = 0; p < PARTITIONS; p++) assign(p, undefined)

  for (const op of ops) {
    switch (op.t) {
      case 'deliver': {
        const part = parts[op.p]!
        if (part.status === 'no') break
        const batch: EngineRecord<null>[] = []
        const accepted = part.status === 'yes' && !part.stopped
        if (op.dup && part.highest !== undefined) batch.push({ topic: TOPIC, partition: op.p, offset: offsetFromBigInt(part.highest), key: 'k0', native: null })
        for (let i = 0; i < op.count; i++) {
          const offset = part.next + BigInt(op.gaps[i]!)
          part.next = offset + 1n
          batch.push({ topic: TOPIC, partition: op.p, offset: offsetFromBigInt(offset), key: op.keys[i] === 2 ? null : `k${op.keys[i]}`, native: null })
          if (accepted) {
            part.arrived.add(offset)
            part.highest = offset
          }
        }
        let fetchPositions: Array<{ topic: string; partition: number; offset: ReturnType<typeof commitOffsetFromBigInt> }> | undefined
        if (op.ahead > 0) {
          part.next += BigInt(op.ahead)
          if (acceptsPositions(part)) part.fetchPos = maxOf(part.fetchPos, part.next)
          fetchPositions = [{ topic: TOPIC, partition: op.p, offset: commitOffsetFromBigInt(part.next) }]
        }
        engine.recordsArrived(batch, { fetchPositions })
        break
      }
      case 'complete':
      case 'fail': {
        const open = invocations.filter((i) => !i.settled)
        if (open.length === 0) break
        settleInvocation(open[op.pick % open.length]!, op.t === 'complete')
        break
      }
      case 'reply':
        answer(op.outcome)
        break
      case 'advance':
        await clock.advanceAsync(op.ms)
        break
      case 'revoke':
        if (parts[op.p]!.status === 'yes') revoke(op.p)
        break
      case 'lost': {
        const part = parts[op.p]!
        if (part.status === 'no') break
        part.status = 'no'
        part.epoch = ++modelEpochs // everything of the old epoch is stale now
        engine.lost([{ topic: TOPIC, partition: op.p }])
        break
      }
      case 'assign': {
        const part = parts[op.p]!
        if (part.status !== 'no') break
        assign(op.p, part.broker + BigInt(op.ahead))
        break
      }
      case 'seek': {
        const part = parts[op.p]!
        if (part.status !== 'yes') break
        const target = maxOf(0n, (part.highest ?? part.next) - BigInt(op.back))!
        part.epoch = ++modelEpochs
        Object.assign(part, { start: target, arrived: new Set(), done: new Set(), highest: undefined, fetchPos: target, next: target, stopped: false, sent: [] })
        engine.seek({ topic: TOPIC, partition: op.p }, commitOffsetFromBigInt(target))
        break
      }
      case 'position': {
        const part = parts[op.p]!
        if (part.status === 'no') break
        part.next += BigInt(op.ahead)
        if (acceptsPositions(part)) part.fetchPos = maxOf(part.fetchPos, part.next)
        engine.positionAdvanced({ topic: TOPIC, partition: op.p }, commitOffsetFromBigInt(part.next))
        break
      }
      case 'batchEnd':
        engine.batchEnd()
        break
      case 'commit':
        engine.commit().catch(() => {})
        break
    }
    await flushMicrotasks()
    checkGauges()
    raise(`after ${JSON.stringify(op)}`)
  }

  // Quiesce: finish every handler, accept every commit, let timers run, then close.
  const quiesce = async (): Promise<void> => {
    for (let round = 0; round < 200; round++) {
      const open = invocations.filter((i) => !i.settled)
      for (const inv of open) settleInvocation(inv, true)
      while (pendingCommits.length > 0) answer('ok')
      await clock.advanceAsync(250)
      if (open.length === 0 && pendingCommits.length === 0 && invocations.every((i) => i.settled)) return
    }
    throw new Error('did not quiesce')
  }
  await quiesce()
  await Promise.all(revokes)
  raise('quiesce')

  for (const part of parts) {
    if (part.status === 'yes' && !part.stopped) {
      // gaps never stall: with everything finished the watermark is past everything known
      const all = maxOf(part.highest === undefined ? undefined : part.highest + 1n, part.fetchPos, part.start)
      expect(expectedWatermark(part)).toBe(all)
    }
  }

  closing = true
  let closed = false
  coverage.runs++
  coverage.ops += ops.length
  coverage.invocations += invocations.length
  coverage.batches += invocations.filter((i) => i.offsets.length > 1).length
  coverage.commits += parts.reduce((n, part) => n + part.sent.length, 0)
  coverage.drained += parts.filter((part) => part.frozen).length
  const closePromise = engine.close().then(
    () => (closed = true),
    () => (closed = true),
  )
  for (let round = 0; round < 50 && !closed; round++) {
    while (pendingCommits.length > 0) answer('ok')
    await clock.advanceAsync(250)
  }
  await closePromise
  for (const part of parts) if (part.status === 'yes') checkFinalCommit(part)
  raise('close')
  expect(engine.stats().partitions).toEqual([])
  expect(clock.pendingTimers, 'no timer outlives close').toBe(0)
}

/** Totals across runs, printed so a vacuous run (nothing dispatched, nothing committed) shows. */
const coverage = { runs: 0, ops: 0, invocations: 0, batches: 0, commits: 0, drained: 0 }

describe('commit engine model (fast-check)', () => {
  it('keeps every offset invariant under random interleavings', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, fc.array(opArb, { minLength: 10, maxLength: 150, size: 'max' }), async (config, ops) => {
        await runScenario(config, ops)
      }),
      fcParams('commit engine model', 300),
    )
    console.log(`[model] ${JSON.stringify(coverage)}`)
    expect(coverage.invocations).toBeGreaterThan(coverage.runs)
    expect(coverage.commits).toBeGreaterThan(coverage.runs)
    expect(coverage.batches, 'batch handler runs dispatched batches of several records').toBeGreaterThan(0)
  }, 120_000)
})
