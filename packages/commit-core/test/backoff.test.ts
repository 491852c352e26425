import { describe, expect, it } from 'vitest'
import { exponentialBackoff, resolveBackoff } from '../src/backoff.js'
import { ConfigError } from '../src/config-error.js'

const FALLBACK = { initialMs: 100, maxMs: 1_000, factor: 2 }

describe('exponentialBackoff', () => {
  it('grows by the factor per attempt up to the maximum', () => {
    const delay = exponentialBackoff({ initialMs: 100, maxMs: 1_000, factor: 3 })
    expect([1, 2, 3, 4].map((a) => delay(a, undefined))).toEqual([100, 300, 900, 1_000])
  })

  it('doubles by default and treats attempt 0 like attempt 1', () => {
    const delay = exponentialBackoff({ initialMs: 10, maxMs: 100 })
    expect([0, 1, 2].map((a) => delay(a, undefined))).toEqual([10, 10, 20])
  })
})

describe('resolveBackoff', () => {
  it('uses the fallback when nothing is given', () => {
    expect(resolveBackoff('b', undefined, FALLBACK)(2, undefined)).toBe(200)
  })

  it('clamps what a custom function returns to a finite number >= 0', () => {
    const values: unknown[] = [50, -1, Number.NaN, Number.POSITIVE_INFINITY, 'soon']
    const delay = resolveBackoff('b', (attempt: number) => values[attempt] as number, FALLBACK)
    expect(values.map((_v, i) => delay(i, undefined))).toEqual([50, 0, 0, 0, 0])
  })

  it('passes the error on to a custom function', () => {
    const delay = resolveBackoff('b', (_attempt: number, error: unknown) => (error === 'slow' ? 500 : 5), FALLBACK)
    expect(delay(1, 'slow')).toBe(500)
  })

  it('checks an object and names the field at fault', () => {
    expect(resolveBackoff('b', { initialMs: 5, maxMs: 50 }, FALLBACK)(3, undefined)).toBe(20)
    const option = (value: unknown): string | undefined => {
      try {
        resolveBackoff('retry.backoff', value, FALLBACK)
      } catch (error) {
        return error instanceof ConfigError ? error.option : 'not a ConfigError'
      }
      return undefined
    }
    expect(option({ maxMs: 5 })).toBe('retry.backoff.initialMs')
    expect(option({ initialMs: 5 })).toBe('retry.backoff.maxMs')
    expect(option({ initialMs: 50, maxMs: 5 })).toBe('retry.backoff.maxMs')
    expect(option({ initialMs: 5, maxMs: 50, factor: 0.5 })).toBe('retry.backoff.factor')
    expect(option({ initialMs: 5, maxMs: 50, jitter: true })).toBe('retry.backoff.jitter')
    expect(option(42)).toBe('retry.backoff')
  })
})
