import { ConfigError } from './config-error.js'
import { checkNumber, checkObject } from './option-checks.js'

/** Delay before attempt `attempt + 1`, after `attempt` attempts failed (attempt >= 1). */
export type BackoffFunction = (attempt: number, error: unknown) => number

/** Exponential backoff: `initialMs * factor ** (attempt - 1)`, capped at `maxMs`; no jitter. */
export interface ExponentialBackoff {
  /** Delay in milliseconds after the first failed attempt (≥ 0). */
  readonly initialMs: number
  /** Upper bound of the delay in milliseconds (≥ `initialMs`). */
  readonly maxMs: number
  /** Multiplier per attempt; default 2. */
  readonly factor?: number
}

/**
 * A backoff option: `{ initialMs, maxMs, factor? }` or a function returning the delay in ms (a
 * function's non-finite or negative result is treated as 0).
 */
export type BackoffOption = ExponentialBackoff | BackoffFunction

/** Deterministic on purpose: jitter needs randomness, which a custom function can bring. */
export function exponentialBackoff(backoff: ExponentialBackoff): BackoffFunction {
  const factor = backoff.factor ?? 2
  return (attempt) => Math.min(backoff.maxMs, backoff.initialMs * factor ** Math.max(0, attempt - 1))
}

export function resolveBackoff(option: string, value: unknown, fallback: ExponentialBackoff): BackoffFunction {
  if (value === undefined) return exponentialBackoff(fallback)
  if (typeof value === 'function') {
    const custom = value as BackoffFunction
    // A custom function may return garbage at runtime; a background path cannot throw, so clamp.
    return (attempt, error) => {
      const ms = custom(attempt, error)
      return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : 0
    }
  }
  const accepted = '{ initialMs, maxMs, factor? } or (attempt, error) => ms'
  const object = checkObject(option, value, ['initialMs', 'maxMs', 'factor'], accepted)
  if (object.initialMs === undefined) throw new ConfigError(`${option}.initialMs`, undefined, 'a finite number >= 0')
  if (object.maxMs === undefined) throw new ConfigError(`${option}.maxMs`, undefined, 'a finite number >= 0')
  const initialMs = checkNumber(`${option}.initialMs`, object.initialMs, 0, 0)
  const maxMs = checkNumber(`${option}.maxMs`, object.maxMs, initialMs, 0)
  const factor = checkNumber(`${option}.factor`, object.factor, 1, 2)
  return exponentialBackoff({ initialMs, maxMs, factor })
}
