import { describe, expect, it } from 'vitest'
import { ConfigError, resolveCommitPolicy, resolveFailurePolicy, type CommitDecider, type CommitPolicyState } from '../src/index.js'
import { exponentialBackoff } from '../src/index.js'

const state = (over: Partial<CommitPolicyState> = {}): CommitPolicyState => ({
  trigger: 'record',
  recordsSinceCommit: 1,
  lastCommitAt: 0,
  pending: true,
  ...over,
})

describe('commit policies are pure decisions over (state, now)', () => {
  it('per-message commits synchronously after every record, nothing else', () => {
    const p = resolveCommitPolicy('per-message')
    expect(p.decide(state(), 0)).toBe('sync')
    expect(p.decide(state({ trigger: 'timer' }), 0)).toBe('none')
    expect(p.tickMs).toBeUndefined()
  })

  it('per-message-async commits after every record without waiting', () => {
    const p = resolveCommitPolicy('per-message-async')
    expect(p.decide(state(), 0)).toBe('async')
    expect(p.decide(state({ trigger: 'batch-end' }), 0)).toBe('none')
  })

  it('every N counts finished records', () => {
    const p = resolveCommitPolicy({ every: 3 })
    expect(p.kind).toBe('every')
    expect(p.decide(state({ recordsSinceCommit: 2 }), 0)).toBe('none')
    expect(p.decide(state({ recordsSinceCommit: 3 }), 0)).toBe('async')
  })

  it('every T ms commits when due and something is pending, and asks for a tick', () => {
    const p = resolveCommitPolicy({ interval: 1000 })
    expect(p.tickMs).toBe(1000)
    expect(p.decide(state({ lastCommitAt: 0 }), 999)).toBe('none')
    expect(p.decide(state({ lastCommitAt: 0, trigger: 'timer' }), 1000)).toBe('async')
    expect(p.decide(state({ lastCommitAt: 0, pending: false, trigger: 'timer' }), 5000)).toBe('none')
    // time is judged on the timer only, so the engine need not read the clock for every record
    expect(p.decide(state({ lastCommitAt: 0 }), 5000)).toBe('none')
    expect(p.timeOnRecord).toBe(false)
    expect(resolveCommitPolicy(() => 'none').timeOnRecord).toBe(true)
  })

  it('N-or-T commits on whichever comes first', () => {
    const p = resolveCommitPolicy({ every: 10, interval: 1000 })
    expect(p.kind).toBe('every-or-interval')
    expect(p.decide(state({ recordsSinceCommit: 10 }), 1)).toBe('async')
    expect(p.decide(state({ recordsSinceCommit: 2, trigger: 'timer' }), 1000)).toBe('async')
    expect(p.decide(state({ recordsSinceCommit: 2, trigger: 'timer' }), 999)).toBe('none')
  })

  it('batch commits at batch end only', () => {
    const p = resolveCommitPolicy('batch')
    expect(p.decide(state({ trigger: 'batch-end' }), 0)).toBe('async')
    expect(p.decide(state(), 0)).toBe('none')
  })

  it.each(['manual', 'auto', 'none'] as const)('%s never commits on its own', (kind) => {
    const p = resolveCommitPolicy(kind)
    expect(p.kind).toBe(kind)
    for (const trigger of ['record', 'timer', 'batch-end'] as const) expect(p.decide(state({ trigger, recordsSinceCommit: 1e9 }), 1e9)).toBe('none')
  })

  it('defaults to every 1000 records or 5 s', () => {
    const p = resolveCommitPolicy(undefined)
    expect(p.kind).toBe('every-or-interval')
    expect(p.tickMs).toBe(5000)
  })

  it('accepts a function or { decide, tickMs }', () => {
    const decide: CommitDecider = () => 'sync'
    expect(resolveCommitPolicy(decide)).toMatchObject({ kind: 'custom', tickMs: undefined })
    expect(resolveCommitPolicy({ decide, tickMs: 50 })).toMatchObject({ kind: 'custom', tickMs: 50 })
    expect(resolveCommitPolicy({ decide })).toMatchObject({ tickMs: undefined })
  })

  it.each([
    ['sometimes', 'commit'],
    [42, 'commit'],
    [null, 'commit'],
    [[], 'commit'],
    [{}, 'commit'],
    [{ every: 0 }, 'commit.every'],
    [{ every: 1.5 }, 'commit.every'],
    [{ interval: -1 }, 'commit.interval'],
    [{ every: 1, evry: 2 }, 'commit.evry'],
    [{ decide: 1 }, 'commit.decide'],
    [{ decide: (): string => 'none', tickMs: 0 }, 'commit.tickMs'],
    [{ decide: (): string => 'none', every: 3 }, 'commit.every'],
    ['toString', 'commit'],
  ])('rejects %j naming %s', (value, option) => {
    const error = capture(() => resolveCommitPolicy(value as never))
    expect(error).toBeInstanceOf(ConfigError)
    expect(error).toMatchObject({ code: 'INVALID_OPTION', option })
    expect((error as ConfigError).accepted.length).toBeGreaterThan(0)
    expect((error as ConfigError).message).toContain(option)
  })
})

describe('failure policy', () => {
  it('defaults to 3 retries with exponential backoff, then stop', () => {
    const f = resolveFailurePolicy(undefined)
    expect(f.then).toBe('stop')
    expect([1, 2, 3, 4].map((a) => f.shouldRetry(a, null))).toEqual([true, true, true, false])
    expect([1, 2, 3, 10].map((a) => f.delayMs(a, null))).toEqual([100, 200, 400, 10_000])
  })

  it('accepts a bare action as shorthand', () => {
    expect(resolveFailurePolicy('skip').then).toBe('skip')
  })

  it('accepts predicates and backoff functions', () => {
    const f = resolveFailurePolicy({ retries: (attempt) => attempt < 2, backoff: (attempt) => attempt * 7, then: 'dead-letter' })
    expect(f.shouldRetry(1, null)).toBe(true)
    expect(f.shouldRetry(2, null)).toBe(false)
    expect(f.delayMs(3, null)).toBe(21)
  })

  it('clamps garbage from a custom backoff function to 0', () => {
    const f = resolveFailurePolicy({ backoff: () => Number.NaN })
    expect(f.delayMs(1, null)).toBe(0)
    const g = resolveFailurePolicy({ backoff: () => -5 })
    expect(g.delayMs(1, null)).toBe(0)
  })

  it('exponentialBackoff caps at maxMs and honours the factor', () => {
    const b = exponentialBackoff({ initialMs: 10, maxMs: 100, factor: 3 })
    expect([1, 2, 3, 4].map((a) => b(a, null))).toEqual([10, 30, 90, 100])
    expect(exponentialBackoff({ initialMs: 5, maxMs: 50 })(2, null)).toBe(10)
  })

  it.each([
    ['explode', 'failure'],
    [{ then: 'explode' }, 'failure.then'],
    [{ retries: -1 }, 'failure.retries'],
    [{ retries: '3' }, 'failure.retries'],
    [{ backoff: { initialMs: 10 } }, 'failure.backoff.maxMs'],
    [{ backoff: { maxMs: 10 } }, 'failure.backoff.initialMs'],
    [{ backoff: { initialMs: 100, maxMs: 10 } }, 'failure.backoff.maxMs'],
    [{ backoff: { initialMs: 1, maxMs: 10, factor: 0.5 } }, 'failure.backoff.factor'],
    [{ backoff: { initialMs: 1, maxMs: 10, jitter: true } }, 'failure.backoff.jitter'],
    [{ backoff: 'fast' }, 'failure.backoff'],
    [{ retry: 3 }, 'failure.retry'],
  ])('rejects %j naming %s', (value, option) => {
    const error = capture(() => resolveFailurePolicy(value as never))
    expect(error).toBeInstanceOf(ConfigError)
    expect(error).toMatchObject({ option })
  })
})

function capture(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}
