import { resolveBackoff, type BackoffFunction, type BackoffOption } from './backoff.js'
import type { ClientPort, EngineRecord } from './client-port.js'
import type { Clock } from './clock.js'
import { resolveCommitPolicy, type CommitPolicy, type CommitPolicyOption } from './commit-policy.js'
import { ConfigError } from './config-error.js'
import { resolveFailurePolicy, type FailurePolicy, type FailurePolicyOption } from './failure-policy.js'
import type { Logger } from './logger.js'
import { noopLogger } from './logger.js'
import { checkFunction, checkInteger, checkObject, checkOneOf } from './option-checks.js'
import { systemClock } from './system-clock.js'
import { resolveLivenessOptions, type LivenessOptions, type ResolvedLiveness } from './liveness-monitor.js'

/** What a handler gets with each record, besides the record itself. */
export interface HandlerContext {
  /** Aborted when the partition is lost, reset by a seek, or its revoke/close drain times out. */
  readonly signal: AbortSignal
  /** 1 on the first attempt, incremented by each retry. */
  readonly attempt: number
  /** Assignment epoch the record was dispatched in. */
  readonly epoch: number
  /**
   * Marks the record done now. With `ack: 'handler'` the handler's resolution does this; with
   * `ack: 'manual'` only this (or `engine.ack`) does. Returns false when the ack was dropped
   * (already done, or the partition moved to another epoch).
   */
  ack(): boolean
  /**
   * `mode: 'transactional'` only: records to produce because of this one. They are held until
   * this record's offset is committed and produced in that same transaction, so a reader with
   * `isolation.level=read_committed` sees each exactly once. What a failed attempt sent is
   * discarded (the retry sends again). Throws ConfigError in 'at-least-once' mode, ConsumerStateError
   * once the record is done or no longer current (revoked, lost).
   */
  send(topic: string, messages: OutputMessage | readonly OutputMessage[]): void
}

/** A record a handler sends with `context.send` in `mode: 'transactional'`. */
export interface OutputMessage {
  /** Record key; absent or null for none. */
  readonly key?: Uint8Array | string | null
  /** Record value; null for a tombstone. */
  readonly value: Uint8Array | string | null
  /** Default: the producer's partitioner picks one from the key. */
  readonly partition?: number
  /** Headers by name. */
  readonly headers?: Readonly<Record<string, Uint8Array | string>>
}

/** Resolve (or return) when done; throw or reject to fail the attempt. */
export type RecordHandler<N = unknown> = (record: EngineRecord<N>, context: HandlerContext) => void | PromiseLike<unknown>

/**
 * - `partition`: one record at a time per partition (the default; Kafka's own guarantee).
 * - `key`: one at a time per key within a partition, keys in parallel. Keyless records share a lane.
 * - `unordered`: any record of any partition may run concurrently.
 */
export type Ordering = 'partition' | 'key' | 'unordered'

/**
 * How retriable commit failures are retried. Once retries run out the commit fails with
 * `CommitError` code `RETRIES_EXHAUSTED`.
 */
export interface CommitRetryOptions {
  /** Extra attempts for retriable commit errors. Default 5. */
  readonly retries?: number
  /** Default { initialMs: 100, maxMs: 5000, factor: 2 }. */
  readonly backoff?: BackoffOption
}

/** Options of {@link createCommitEngine}; each is checked before anything runs. */
export interface CommitEngineOptions<N = unknown> {
  /** The adapter's port to its client. */
  readonly port: ClientPort<N>
  /** Called once per record (with `batch: true`, once per batch: the record is an `EngineBatch`). */
  readonly handler: RecordHandler<N>
  /**
   * Batch handler: each run of one partition's records in one `recordsArrived` call is tracked,
   * dispatched, retried and committed past as one unit, and the handler gets it as a
   * {@link RecordBatch}. Needs `ordering` 'partition' or 'unordered'. Default false.
   */
  readonly batch?: boolean
  /** Default: the system clock. Tests pass a FakeClock. */
  readonly clock?: Clock
  /** Where the engine logs. Default: `noopLogger` for the bare engine; consumers default to `consoleLogger('warn')`. */
  readonly logger?: Logger
  /** Default { every: 1000, interval: 5000 }. */
  readonly commit?: CommitPolicyOption
  /** Default 'partition'. */
  readonly ordering?: Ordering
  /** Default 'handler': a record is done when its handler resolves. */
  readonly ack?: 'handler' | 'manual'
  /** Records seen and not done, per partition, before the partition is paused. Default 1000. */
  readonly maxInFlightPerPartition?: number
  /** Records seen and not done, overall, before every partition is paused. Default 10000. */
  readonly maxInFlight?: number
  /** Handlers running at once, overall. Default: maxInFlight. */
  readonly concurrency?: number
  /** Default: 3 retries with exponential backoff, then 'stop'. */
  readonly failure?: FailurePolicyOption
  /** Retries of retriable commit failures. Default: 5 retries, backoff `{ initialMs: 100, maxMs: 5000, factor: 2 }`. */
  readonly commitRetry?: CommitRetryOptions
  /** How long revoke and close wait for running handlers before aborting them. Default 30000. */
  readonly drainTimeoutMs?: number
  /**
   * How long close() waits for its final commit (retries and a commit still in flight included)
   * before it gives up: close() then rejects with a `CommitError` `TIMED_OUT` and the client is
   * disconnected; the records done since the last accepted commit are processed again by the next
   * owner. Default 30000.
   */
  readonly closeTimeoutMs?: number
  /**
   * - `at-least-once` (default): offsets are committed to the group; a record may be processed
   *   again after a crash or a lost partition, never skipped.
   * - `transactional`: exactly-once for Kafka-to-Kafka pipelines. Handlers send their outputs with
   *   `context.send`; each commit is one producer transaction holding the outputs of exactly the
   *   records it commits past, and the offsets (KIP-98/KIP-447). Needs a port with
   *   `capabilities.transactions` (each adapter's `transaction` option) and a commit policy of
   *   `{ every }`, `{ interval }` or both, or `'per-message'`.
   */
  readonly mode?: 'at-least-once' | 'transactional'
  /** Bounds after which stalled commits and starved partitions are reported. */
  readonly liveness?: LivenessOptions
}

export interface ResolvedOptions<N> {
  readonly port: ClientPort<N>
  readonly handler: RecordHandler<N>
  readonly batch: boolean
  readonly clock: Clock
  readonly logger: Logger
  readonly policy: CommitPolicy
  readonly ordering: Ordering
  readonly manualAck: boolean
  readonly maxInFlightPerPartition: number
  readonly maxInFlight: number
  readonly concurrency: number
  readonly failure: FailurePolicy
  readonly commitAttempts: number
  readonly commitDelayMs: BackoffFunction
  readonly drainTimeoutMs: number
  readonly closeTimeoutMs: number
  readonly liveness: ResolvedLiveness
  /** `mode: 'transactional'`. */
  readonly transactional: boolean
}

/** What a consumer's user sets (OffsetkitOptions, minus the `clock` test hook): listed in errors. */
export const USER_OPTION_KEYS = [
  'logger', 'commit', 'ordering', 'ack', 'maxInFlightPerPartition', 'maxInFlight', 'concurrency', 'failure',
  'commitRetry', 'drainTimeoutMs', 'closeTimeoutMs', 'mode', 'liveness',
] as const

const OPTION_KEYS = ['port', 'handler', 'batch', 'clock', ...USER_OPTION_KEYS] as const

/** Checks every option before anything runs; throws a ConfigError naming the first bad one. */
export function resolveCommitEngineOptions<N>(options: CommitEngineOptions<N>): ResolvedOptions<N> {
  const o = checkObject('options', options, OPTION_KEYS, 'an options object')
  const port = checkPort(o.port)
  checkFunction('handler', o.handler)
  const clock = checkClock(o.clock)
  const logger = checkLogger(o.logger)
  const policy = resolveCommitPolicy(o.commit as CommitPolicyOption | undefined)
  if (policy.kind === 'auto' && port.storeOffsets === undefined) {
    throw new ConfigError('commit', 'auto', "a port implementing storeOffsets (the adapter's client cannot store offsets), or another policy")
  }
  const transactional = checkOneOf('mode', o.mode, ['at-least-once', 'transactional'], 'at-least-once') === 'transactional'
  if (transactional) checkTransactional(port, policy)
  const failure = resolveFailurePolicy(o.failure as FailurePolicyOption | undefined)
  if (failure.then === 'dead-letter' && (transactional ? port.deadLetterOutput : port.deadLetter) === undefined) {
    const missing = transactional ? 'deadLetterOutput (a dead letter inside the transaction)' : 'deadLetter'
    throw new ConfigError('failure.then', 'dead-letter', `'skip', 'stop' or 'stop-consumer' (the port implements no ${missing})`)
  }
  const maxInFlight = checkInteger('maxInFlight', o.maxInFlight, 1, 10_000)
  const retry =
    o.commitRetry === undefined ? {} : checkObject('commitRetry', o.commitRetry, ['retries', 'backoff'], '{ retries?, backoff? }')
  if (o.batch !== undefined && typeof o.batch !== 'boolean') throw new ConfigError('batch', o.batch, 'true or false')
  const batch = o.batch === true
  const ordering = checkOneOf('ordering', o.ordering, ['partition', 'key', 'unordered'], 'partition')
  if (batch && ordering === 'key') {
    throw new ConfigError('ordering', 'key', "'partition' or 'unordered' with a batch handler (a batch holds every key of its partition's run)")
  }
  return {
    port,
    handler: o.handler as RecordHandler<N>,
    batch,
    clock,
    logger,
    policy,
    ordering,
    manualAck: checkOneOf('ack', o.ack, ['handler', 'manual'], 'handler') === 'manual',
    maxInFlightPerPartition: checkInteger('maxInFlightPerPartition', o.maxInFlightPerPartition, 1, 1000),
    maxInFlight,
    concurrency: checkInteger('concurrency', o.concurrency, 1, maxInFlight),
    failure,
    commitAttempts: checkInteger('commitRetry.retries', retry.retries, 0, 5) + 1,
    commitDelayMs: resolveBackoff('commitRetry.backoff', retry.backoff, { initialMs: 100, maxMs: 5000, factor: 2 }),
    drainTimeoutMs: checkInteger('drainTimeoutMs', o.drainTimeoutMs, 0, 30_000),
    closeTimeoutMs: checkInteger('closeTimeoutMs', o.closeTimeoutMs, 1, 30_000),
    liveness: resolveLivenessOptions(o.liveness),
    transactional,
  }
}

/** Exactly-once needs a port that commits in transactions, and commits the engine itself decides. */
function checkTransactional(port: ClientPort<unknown>, policy: CommitPolicy): void {
  if (!port.capabilities.transactions) {
    throw new ConfigError('mode', 'transactional', "'at-least-once', or a port with capabilities.transactions (the adapter's `transaction` option)")
  }
  // 'auto': the client commits on its own, outside any transaction. 'none': nothing would commit
  // the outputs. 'per-message-async': transactions are always acknowledged; there is no async one.
  if (policy.kind === 'auto' || policy.kind === 'none' || policy.kind === 'per-message-async') {
    throw new ConfigError('commit', policy.kind, "{ every: N }, { interval: ms }, both, or 'per-message' (each commit is one transaction)")
  }
}

function checkPort<N>(value: unknown): ClientPort<N> {
  const accepted = 'a ClientPort: { capabilities, commit, classifyCommitError, pause, resume, deadLetter?, storeOffsets? }'
  if (typeof value !== 'object' || value === null) throw new ConfigError('port', value, accepted)
  const port = value as Record<string, unknown>
  for (const name of ['commit', 'classifyCommitError', 'pause', 'resume']) checkFunction(`port.${name}`, port[name])
  for (const name of ['deadLetter', 'deadLetterOutput', 'storeOffsets', 'queryEndOffsets', 'queryGroupOffsets']) {
    if (port[name] !== undefined) checkFunction(`port.${name}`, port[name])
  }
  const capabilities = port.capabilities
  if (typeof capabilities !== 'object' || capabilities === null) {
    throw new ConfigError('port.capabilities', capabilities, '{ leaderEpoch: boolean, commitMetadata: boolean, transactions: boolean }')
  }
  for (const flag of ['leaderEpoch', 'commitMetadata', 'transactions']) {
    const flagValue = (capabilities as Record<string, unknown>)[flag]
    // Capability gaps are declared, never guessed: every flag must be an explicit boolean.
    if (typeof flagValue !== 'boolean') throw new ConfigError(`port.capabilities.${flag}`, flagValue, 'true or false')
  }
  return value as ClientPort<N>
}

function checkClock(value: unknown): Clock {
  if (value === undefined) return systemClock
  if (typeof value !== 'object' || value === null) throw new ConfigError('clock', value, 'a Clock: { now(), schedule(delayMs, callback) }')
  const clock = value as Record<string, unknown>
  checkFunction('clock.now', clock.now)
  checkFunction('clock.schedule', clock.schedule)
  return value as Clock
}

function checkLogger(value: unknown): Logger {
  if (value === undefined) return noopLogger
  if (typeof value !== 'object' || value === null) throw new ConfigError('logger', value, 'a Logger: { debug, info, warn, error }')
  const logger = value as Record<string, unknown>
  for (const level of ['debug', 'info', 'warn', 'error']) checkFunction(`logger.${level}`, logger[level])
  return value as Logger
}
