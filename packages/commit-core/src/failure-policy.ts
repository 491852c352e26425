import { resolveBackoff, type BackoffFunction, type BackoffOption } from './backoff.js'
import { ConfigError } from './config-error.js'
import { checkInteger, checkObject, checkOneOf } from './option-checks.js'

/**
 * What happens to a record once its retries are spent. A dead-lettered or skipped record counts
 * as done; `stop` pins the partition (no more dispatch, watermark stays before the record, the
 * partition is paused); `stop-consumer` does that to every partition.
 */
export type FailureAction = 'dead-letter' | 'skip' | 'stop' | 'stop-consumer'

/** `attempt` is the number of attempts made so far (1 after the first failure). */
export type RetryPredicate = (attempt: number, error: unknown) => boolean

/** The object form of the `failure` option: retries, backoff, and what happens then. */
export interface FailurePolicyOptions {
  /** Extra attempts after the first, or a predicate. Default 3. */
  readonly retries?: number | RetryPredicate
  /** Default { initialMs: 100, maxMs: 10_000, factor: 2 }. */
  readonly backoff?: BackoffOption
  /** Default 'stop': never commit past a record nobody handled. */
  readonly then?: FailureAction
}

/** A bare action is shorthand for `{ then: action }` with default retries. */
export type FailurePolicyOption = FailureAction | FailurePolicyOptions

/** A checked, resolved failure policy, as the engine uses it. */
export interface FailurePolicy {
  /** Whether to call the handler again after `attempt` failed calls. */
  readonly shouldRetry: RetryPredicate
  /** Milliseconds to wait before the next call. */
  readonly delayMs: BackoffFunction
  /** What happens once retries are spent. */
  readonly then: FailureAction
}

const ACTIONS: readonly FailureAction[] = ['dead-letter', 'skip', 'stop', 'stop-consumer']

/**
 * Checks a `failure` option and resolves it. Defaults: 3 retries, backoff
 * `{ initialMs: 100, maxMs: 10_000, factor: 2 }`, then `stop`.
 *
 * @param option - The user's `failure` option.
 * @param name - The option's name in error messages.
 * @throws {@link ConfigError} (`INVALID_OPTION`) for an unknown action or key, or a bad retries or backoff value.
 */
export function resolveFailurePolicy(option: FailurePolicyOption | undefined, name = 'failure'): FailurePolicy {
  const object: Record<string, unknown> =
    typeof option === 'string'
      ? { then: checkOneOf(name, option, ACTIONS, 'stop') }
      : option === undefined
        ? {}
        : checkObject(name, option, ['retries', 'backoff', 'then'], `one of ${ACTIONS.join(', ')} or { retries?, backoff?, then? }`)
  const then = checkOneOf(`${name}.then`, object.then, ACTIONS, 'stop')
  const delayMs = resolveBackoff(`${name}.backoff`, object.backoff, { initialMs: 100, maxMs: 10_000, factor: 2 })
  const retries = object.retries
  if (typeof retries === 'function') {
    const predicate = retries as RetryPredicate
    return { shouldRetry: (attempt, error) => predicate(attempt, error) === true, delayMs, then }
  }
  if (retries !== undefined && typeof retries !== 'number') {
    throw new ConfigError(`${name}.retries`, retries, 'an integer >= 0 or (attempt, error) => boolean')
  }
  const max = checkInteger(`${name}.retries`, retries, 0, 3)
  return { shouldRetry: (attempt) => attempt <= max, delayMs, then }
}
