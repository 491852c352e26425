import { describe, expect, it, vi } from 'vitest'
import { ClientError, CommitError, ConfigError, OffsetkitError, isOffsetkitError, missingTopicsError } from '../src/index.js'

describe('ClientError', () => {
  it('says what to check, keeps the client error as cause, and redacts secrets from both', () => {
    const raw = new Error('connect failed for sasl.password=hunter22 at 127.0.0.1:1')
    const error = new ClientError('BROKER_UNREACHABLE', { cause: raw, secrets: ['hunter22'] })
    expect(error).toBeInstanceOf(OffsetkitError)
    expect(error.code).toBe('BROKER_UNREACHABLE')
    expect(error.retriable).toBe(true)
    expect(error.message).toMatch(/check the bootstrap servers/)
    expect(error.message).toMatch(/the client said: Error: connect failed/)
    expect(error.message).not.toContain('hunter22')
    expect((error.cause as Error).message).not.toContain('hunter22')
    expect((error.cause as Error).message).toContain('127.0.0.1:1')
  })

  it('TOPIC_NOT_FOUND names the missing topics', () => {
    expect(new ClientError('TOPIC_NOT_FOUND', { topics: ['orders'] }).message).toMatch(/^topic "orders" does not exist: create the topic first/)
    const error = missingTopicsError(['a', 'b', 'c', '^re.*'], ['b'])
    expect(error?.code).toBe('TOPIC_NOT_FOUND')
    expect(error?.topics).toEqual(['a', 'c'])
    expect(error?.message).toMatch(/^topics "a", "c" do not exist/)
    expect(missingTopicsError(['b'], new Set(['b', 'x']))).toBeUndefined()
  })
})

describe('isOffsetkitError', () => {
  it('is true for every offsetkit error class and false for anything else', () => {
    expect(isOffsetkitError(new ClientError('CLIENT_FAILED'))).toBe(true)
    expect(isOffsetkitError(new ConfigError('x', 1, 'a string'))).toBe(true)
    expect(isOffsetkitError(new CommitError('FATAL', 'no'))).toBe(true)
    for (const other of [new Error('x'), Object.assign(new Error('x'), { code: 'INVALID_OPTION' }), 'INVALID_OPTION', null, undefined, { code: 'FATAL' }]) {
      expect(isOffsetkitError(other)).toBe(false)
    }
  })

  it('recognises an error from another copy of the package (the CJS build next to the ESM one), where instanceof fails', async () => {
    // A second module instance, as a dual-package install loads: its classes are not ours, the shared brand is.
    vi.resetModules()
    const other = await import('../src/index.js')
    const foreign = new other.ClientError('TOPIC_NOT_FOUND', { topics: ['t'] })
    expect(foreign).not.toBeInstanceOf(OffsetkitError)
    expect(isOffsetkitError(foreign)).toBe(true)
    expect(other.isOffsetkitError(new ConfigError('x', 1, 'y'))).toBe(true)
  })
})
