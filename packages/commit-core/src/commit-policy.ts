import { ConfigError } from './config-error.js'
import { checkInteger, isPlainObject } from './option-checks.js'

/** `sync` waits for the broker before the partition dispatches again; `async` does not wait. */
export type CommitDecision = 'none' | 'async' | 'sync'

/** What asked for a decision: a record finished, the policy's timer fired, or the batch ended. */
export type CommitTrigger = 'record' | 'timer' | 'batch-end'

/**
 * Consumer-wide state a policy decides on. The object is reused between calls: read it during
 * the call, do not keep it.
 */
export interface CommitPolicyState {
  /** What asked for this decision. */
  readonly trigger: CommitTrigger
  /** Records finished (done, skipped or dead-lettered) since the last commit request. */
  readonly recordsSinceCommit: number
  /** Clock time of the last commit request (engine start before the first). */
  readonly lastCommitAt: number
  /** Whether some partition's watermark moved since the last commit request. */
  readonly pending: boolean
}

/**
 * A commit policy as a function: called with the consumer-wide state and the clock time (ms), it
 * returns whether to commit now. Whatever it returns, a commit never passes an unfinished record:
 * it carries each partition's watermark.
 */
export type CommitDecider = (state: CommitPolicyState, now: number) => CommitDecision

/** The named commit policies. */
export type CommitShorthand =
  /** Commit after every record and wait for it before the partition's next record (sync). */
  | 'per-message'
  /** Commit after every record without waiting; concurrent requests coalesce. */
  | 'per-message-async'
  /** Commit whenever the adapter reports the end of a fetched batch. */
  | 'batch'
  /** Only `engine.commit()` commits (plus revoke and close). */
  | 'manual'
  /** The client's own auto-commit; core keeps its offset store at the watermark. */
  | 'auto'
  /** Never commit, not even on revoke or close (benchmarks, external offset storage). */
  | 'none'

/** Every `every` records, or `interval` ms after the last commit, whichever comes first. */
export interface CountOrTimePolicy {
  /** Commit after this many finished records (an integer ≥ 1). */
  readonly every?: number
  /** Commit this many milliseconds after the last commit request (an integer ≥ 1). */
  readonly interval?: number
}

/** A commit policy given as a decider, optionally ticked on a timer. */
export interface CustomCommitPolicy {
  /** Decides on each trigger whether to commit. */
  readonly decide: CommitDecider
  /** Also ask `decide` on a timer (trigger `timer`) at most this often, so quiet consumers commit. */
  readonly tickMs?: number
}

/**
 * The `commit` option: a shorthand, `{ every?, interval? }`, a decider function, or
 * `{ decide, tickMs? }`. Default: `{ every: 1000, interval: 5000 }`.
 */
export type CommitPolicyOption = CommitShorthand | CountOrTimePolicy | CommitDecider | CustomCommitPolicy

/** Which kind of policy {@link resolveCommitPolicy} resolved an option to. */
export type CommitPolicyKind = CommitShorthand | 'every' | 'interval' | 'every-or-interval' | 'custom'

/** A checked, resolved commit policy, as the engine uses it. */
export interface CommitPolicy {
  /** Which kind of policy this is. */
  readonly kind: CommitPolicyKind
  /** When set, the engine ticks the policy at most this often while something is pending. */
  readonly tickMs: number | undefined
  /**
   * Whether `decide` reads `now` on `record` triggers. Built-in policies look at time only on
   * their timer, which spares a clock read per record; custom policies always get the time.
   */
  readonly timeOnRecord: boolean
  /** Decides on each trigger whether to commit. */
  readonly decide: CommitDecider
}

const never: CommitDecider = () => 'none'

const shorthands: Record<CommitShorthand, CommitDecider> = {
  'per-message': (state) => (state.trigger === 'record' ? 'sync' : 'none'),
  'per-message-async': (state) => (state.trigger === 'record' ? 'async' : 'none'),
  batch: (state) => (state.trigger === 'batch-end' ? 'async' : 'none'),
  manual: never,
  auto: never,
  none: never,
}

const ACCEPTED =
  "'per-message', 'per-message-async', 'batch', 'manual', 'auto', 'none', { every?, interval? }, " +
  '(state, now) => decision, or { decide, tickMs? }'

/**
 * Checks a `commit` option and resolves it to a policy. `undefined` gives the default,
 * `{ every: 1000, interval: 5000 }`.
 *
 * @param option - The user's `commit` option.
 * @param name - The option's name in error messages.
 * @throws {@link ConfigError} (code `INVALID_OPTION`) naming the option, the value and what is accepted.
 */
export function resolveCommitPolicy(option: CommitPolicyOption | undefined, name = 'commit'): CommitPolicy {
  if (option === undefined) return countOrTime(1000, 5000)
  if (typeof option === 'string') {
    const decide = Object.hasOwn(shorthands, option) ? shorthands[option] : undefined
    if (decide === undefined) throw new ConfigError(name, option, ACCEPTED)
    return { kind: option, tickMs: undefined, timeOnRecord: false, decide }
  }
  if (typeof option === 'function') return { kind: 'custom', tickMs: undefined, timeOnRecord: true, decide: option as CommitDecider }
  if (!isPlainObject(option)) throw new ConfigError(name, option, ACCEPTED)
  const object: Record<string, unknown> = option
  if ('decide' in object) {
    for (const key of Object.keys(object)) {
      if (key !== 'decide' && key !== 'tickMs') throw new ConfigError(`${name}.${key}`, object[key], 'no such option; known: decide, tickMs')
    }
    if (typeof object.decide !== 'function') throw new ConfigError(`${name}.decide`, object.decide, '(state, now) => decision')
    const tickMs = object.tickMs === undefined ? undefined : checkInteger(`${name}.tickMs`, object.tickMs, 1, 1)
    return { kind: 'custom', tickMs, timeOnRecord: true, decide: object.decide as CommitDecider }
  }
  for (const key of Object.keys(object)) {
    if (key !== 'every' && key !== 'interval') throw new ConfigError(`${name}.${key}`, object[key], `no such option; ${name} accepts ${ACCEPTED}`)
  }
  const every = object.every === undefined ? undefined : checkInteger(`${name}.every`, object.every, 1, 1)
  const interval = object.interval === undefined ? undefined : checkInteger(`${name}.interval`, object.interval, 1, 1)
  if (every === undefined && interval === undefined) throw new ConfigError(name, object, 'at least one of every (records) or interval (ms)')
  return countOrTime(every, interval)
}

/**
 * Time is judged on the policy's timer only (like the clients' own auto-commit intervals): the
 * engine arms it for `lastCommitAt + interval` whenever something is pending.
 */
function countOrTime(every: number | undefined, interval: number | undefined): CommitPolicy {
  if (interval === undefined) {
    const n = every as number
    return { kind: 'every', tickMs: undefined, timeOnRecord: false, decide: (state) => (state.recordsSinceCommit >= n ? 'async' : 'none') }
  }
  const due = (state: CommitPolicyState, now: number): boolean =>
    state.trigger === 'timer' && state.pending && now - state.lastCommitAt >= interval
  if (every === undefined) {
    return { kind: 'interval', tickMs: interval, timeOnRecord: false, decide: (state, now) => (due(state, now) ? 'async' : 'none') }
  }
  return {
    kind: 'every-or-interval',
    tickMs: interval,
    timeOnRecord: false,
    decide: (state, now) => (state.recordsSinceCommit >= every || due(state, now) ? 'async' : 'none'),
  }
}
