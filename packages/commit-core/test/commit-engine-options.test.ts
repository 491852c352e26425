import { describe, expect, it } from 'vitest'
import { ConfigError, createCommitEngine, systemClock, type CommitEngineOptions } from '../src/index.js'
import { FakeClock } from '@offsetkit/commit-core/testing'
import { FakePort } from './harness.js'

function base(over: Record<string, unknown> = {}): CommitEngineOptions<string> {
  return { port: new FakePort(), handler: () => {}, clock: new FakeClock(), ...over } as CommitEngineOptions<string>
}

function configError(over: Record<string, unknown>): ConfigError {
  try {
    createCommitEngine(base(over))
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('config validation (every option checked before anything runs)', () => {
  it('accepts the minimal options and applies defaults', () => {
    const engine = createCommitEngine({ port: new FakePort(), handler: () => {} })
    expect(engine.closed).toBe(false)
    expect(engine.stats()).toEqual({ partitions: [], inFlight: 0, running: 0, committing: false })
  })

  it('the default clock is the system clock (its timers are never started in tests)', () => {
    expect(typeof systemClock.now()).toBe('number')
    expect(typeof systemClock.schedule).toBe('function')
  })

  it.each([
    [{ port: undefined }, 'port'],
    [{ port: null }, 'port'],
    [{ port: { ...new FakePort(), commit: undefined } }, 'port.commit'],
    [{ handler: 'nope' }, 'handler'],
    [{ clock: 5 }, 'clock'],
    [{ clock: { now: () => 0 } }, 'clock.schedule'],
    [{ logger: 'console' }, 'logger'],
    [{ logger: { debug() {}, info() {}, warn() {} } }, 'logger.error'],
    [{ commit: 'sometimes' }, 'commit'],
    [{ commit: { every: 0 } }, 'commit.every'],
    [{ ordering: 'random' }, 'ordering'],
    [{ ack: 'auto' }, 'ack'],
    [{ maxInFlightPerPartition: 0 }, 'maxInFlightPerPartition'],
    [{ maxInFlight: 1.5 }, 'maxInFlight'],
    [{ concurrency: -3 }, 'concurrency'],
    [{ failure: 'panic' }, 'failure'],
    [{ commitRetry: 3 }, 'commitRetry'],
    [{ commitRetry: { retries: -1 } }, 'commitRetry.retries'],
    [{ commitRetry: { backoff: { initialMs: 1 } } }, 'commitRetry.backoff.maxMs'],
    [{ commitRetry: { tries: 1 } }, 'commitRetry.tries'],
    [{ drainTimeoutMs: -1 }, 'drainTimeoutMs'],
    [{ mode: 'exactly-once' }, 'mode'],
    [{ autoCommit: true }, 'options.autoCommit'],
  ])('%j is rejected naming %s', (over, option) => {
    const error = configError(over)
    expect(error.code).toBe('INVALID_OPTION')
    expect(error.option).toBe(option)
    expect(error.message).toMatch(/^Invalid option /)
    expect(error.retriable).toBe(false)
  })

  it('rejects a non-object options argument', () => {
    expect(() => createCommitEngine(null as never)).toThrow(ConfigError)
  })

  it('every capability must be declared explicitly', () => {
    const port = new FakePort()
    port.capabilities = { leaderEpoch: true } as never
    expect(configError({ port }).option).toBe('port.capabilities.commitMetadata')
    const bare = new FakePort()
    ;(bare as unknown as { capabilities: unknown }).capabilities = undefined
    expect(configError({ port: bare }).option).toBe('port.capabilities')
  })

  it('optional port methods must be functions when present', () => {
    const port = new FakePort()
    ;(port as unknown as { deadLetter: unknown }).deadLetter = 'topic'
    expect(configError({ port }).option).toBe('port.deadLetter')
  })

  it("'auto' needs a port that can store offsets", () => {
    const error = configError({ commit: 'auto' })
    expect(error.option).toBe('commit')
    expect(error.value).toBe('auto')
    expect(error.accepted).toContain('storeOffsets')
    expect(() => createCommitEngine(base({ commit: 'auto', port: new FakePort({ storeOffsets: true }) }))).not.toThrow()
  })

  it("'dead-letter' needs a port that can produce to a dead-letter topic", () => {
    const error = configError({ failure: { then: 'dead-letter' } })
    expect(error.option).toBe('failure.then')
    expect(() => createCommitEngine(base({ failure: 'dead-letter', port: new FakePort({ deadLetter: true }) }))).not.toThrow()
  })

  it('renders awkward values in messages without throwing', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(configError({ ordering: 5n }).message).toContain('5n')
    expect(configError({ ordering: Symbol('x') }).message).toContain('Symbol(x)')
    expect(configError({ ordering: cyclic }).message).toContain('[object]')
    expect(configError({ ordering: [1, 2] }).message).toContain('[array(2)]')
    expect(configError({ ordering: { big: 1n } }).message).toContain('"1n"')
    expect(configError({ handler: undefined }).message).toContain('undefined')
    expect(configError({ ordering: () => 1 }).message).toContain('[function]')
  })
})
