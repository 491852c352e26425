import type { BackoffFunction } from './backoff.js'
import type { ClientPort, CommitEntry, CommitErrorClass, CommitReason, CommitRequest, PartitionOutputs } from './client-port.js'
import type { CancelTimer, Clock } from './clock.js'
import { CommitError } from './commit-error.js'
import type { Logger } from './logger.js'

export type CommitOutcome = { readonly ok: true } | { readonly ok: false; readonly error: CommitError }

const OK: CommitOutcome = { ok: true }

export type CommitScope<S> = 'all' | ReadonlySet<S>

export interface CommitWaiter {
  settle(outcome: CommitOutcome): void
  /**
   * May wait across a rebalance (a manual `commit()`). Revoke and close may not: they run inside
   * the rebalance, so waiting for the next one would deadlock.
   */
  readonly parkable: boolean
}

export interface PreparedCommit {
  readonly entries: readonly CommitEntry[]
  /** Transactional mode: what the transaction produces besides the offsets. */
  readonly outputs?: readonly PartitionOutputs[]
}

/** What the pipeline needs from the engine that owns the partitions. */
export interface CommitSource<S, P extends PreparedCommit> {
  /**
   * Current watermarks of owned partitions in `scope` that differ from what is committed.
   * `probe`: when none differs, one partition's unchanged offset (a commit that proves membership).
   */
  prepare(scope: CommitScope<S>, probe: boolean): P
  /** The broker accepted `prepared`; apply it where the partition is still in the same epoch. */
  committed(prepared: P): void
  /** Partitions that held dispatch until this commit settled may dispatch again. */
  liftSyncHolds(held: readonly S[]): void
  /** State changed outside any engine call (a reply arrived, a backoff ended). */
  wake(): void
}

export interface CommitObserver {
  started(request: CommitRequest, attempt: number): void
  succeeded(request: CommitRequest, attempt: number, durationMs: number): void
  failed(request: CommitRequest, error: CommitError, attempt: number, willRetry: boolean): void
}

interface Intent<S> {
  scope: 'all' | Set<S>
  sync: boolean
  reason: CommitReason
  waiters: CommitWaiter[]
  /** Partitions whose dispatch waits for this commit (sync policy decisions). */
  holds: S[]
  /** Failed (retriable) attempts so far. */
  attempts: number
  /** Sent even when no offset moved (re-commits one unchanged offset): a membership probe. */
  probe: boolean
}

const REASON_RANK: Record<CommitReason, number> = { policy: 0, manual: 1, revoke: 2, close: 3 }

const CLASSES: ReadonlySet<string> = new Set<CommitErrorClass>(['retriable', 'rebalance', 'fenced', 'fatal'])

export interface CommitPipelineDeps<S, P extends PreparedCommit> {
  readonly port: Pick<ClientPort, 'commit' | 'classifyCommitError'>
  readonly clock: Clock
  readonly logger: Logger
  readonly source: CommitSource<S, P>
  readonly observer: CommitObserver
  /** Total attempts for retriable failures (first try included). */
  readonly maxAttempts: number
  readonly delayMs: BackoffFunction
}

/**
 * One commit in flight per consumer. Requests made while one is in flight coalesce into a single
 * pending intent whose offsets are read when it is SENT, so the latest watermark wins and a
 * commit never carries offsets of a partition that was released meanwhile. Sent commits are
 * never cancelled; their replies are applied only where the partition epoch still matches.
 */
export class CommitPipeline<S, P extends PreparedCommit> {
  private pending: Intent<S> | undefined
  private parked: Intent<S> | undefined
  /** A commit was sent and its reply has not come. */
  private outstanding = false
  private backoff: CancelTimer | undefined
  private closed = false

  constructor(private readonly deps: CommitPipelineDeps<S, P>) {}

  /** Nothing in flight, waiting for a backoff, or queued. */
  get idle(): boolean {
    return !this.outstanding && this.backoff === undefined && this.pending === undefined
  }

  get committing(): boolean {
    return this.outstanding
  }

  request(scope: CommitScope<S>, sync: boolean, reason: CommitReason, hold?: S, waiter?: CommitWaiter, probe = false): void {
    if (this.closed) {
      waiter?.settle({ ok: false, error: new CommitError('CLOSED', 'the commit engine is closed') })
      return
    }
    const pending = this.pending
    if (pending === undefined) {
      this.pending = {
        scope: scope === 'all' ? 'all' : new Set(scope),
        sync,
        reason,
        waiters: waiter === undefined ? [] : [waiter],
        holds: hold === undefined ? [] : [hold],
        attempts: 0,
        probe,
      }
      return
    }
    // Mutated in place: per-message policies request once per record.
    if (pending.scope !== 'all') {
      if (scope === 'all') pending.scope = 'all'
      else for (const s of scope) pending.scope.add(s)
    }
    if (sync) pending.sync = true
    if (probe) pending.probe = true
    if (REASON_RANK[reason] > REASON_RANK[pending.reason]) pending.reason = reason
    if (waiter !== undefined) pending.waiters.push(waiter)
    if (hold !== undefined) pending.holds.push(hold)
  }

  /** Requests a commit and resolves with its outcome; never rejects. */
  flush(scope: CommitScope<S>, reason: CommitReason, parkable: boolean): Promise<CommitOutcome> {
    return new Promise((resolve) => this.request(scope, true, reason, undefined, { settle: resolve, parkable }))
  }

  /** After an assignment change: re-send what a rebalance error parked. */
  unpark(): void {
    const parked = this.parked
    if (parked === undefined) return
    this.parked = undefined
    this.pending = this.pending === undefined ? parked : mergeInto(parked, this.pending)
  }

  /** Sends the pending intent if nothing is in flight and no backoff is running. */
  kick(): void {
    if (this.outstanding || this.backoff !== undefined || this.pending === undefined) return
    const intent = this.pending
    this.pending = undefined
    const prepared = this.deps.source.prepare(intent.scope, intent.probe)
    if (prepared.entries.length === 0) {
      this.finish(intent, OK)
      return
    }
    const request: CommitRequest = {
      offsets: prepared.entries,
      sync: intent.sync,
      reason: intent.reason,
      ...(prepared.outputs !== undefined && { outputs: prepared.outputs }),
    }
    const attempt = intent.attempts + 1
    this.outstanding = true
    this.deps.observer.started(request, attempt)
    const startedAt = this.deps.clock.now()
    let reply: Promise<void>
    try {
      reply = Promise.resolve(this.deps.port.commit(request))
    } catch (error) {
      reply = Promise.reject(error)
    }
    reply.then(
      () => this.succeeded(intent, prepared, request, attempt, startedAt),
      (error: unknown) => this.failed(intent, request, attempt, error),
    )
  }

  /** Fails whatever is still queued or parked; later requests fail with CLOSED. */
  close(): void {
    this.closed = true
    this.backoff?.()
    this.backoff = undefined
    const error = new CommitError('CLOSED', 'the commit engine closed before this commit was sent')
    for (const intent of [this.pending, this.parked]) if (intent !== undefined) this.finish(intent, { ok: false, error })
    this.pending = undefined
    this.parked = undefined
  }

  private succeeded(intent: Intent<S>, prepared: P, request: CommitRequest, attempt: number, startedAt: number): void {
    this.outstanding = false
    this.deps.source.committed(prepared)
    this.deps.observer.succeeded(request, attempt, this.deps.clock.now() - startedAt)
    this.finish(intent, OK)
    this.deps.source.wake()
  }

  private failed(intent: Intent<S>, request: CommitRequest, attempt: number, cause: unknown): void {
    this.outstanding = false
    const classification = this.classify(cause)
    const context = { cause, classification, attempts: attempt, request }
    switch (classification) {
      case 'retriable': {
        if (attempt < this.deps.maxAttempts && !this.closed) {
          this.deps.observer.failed(request, new CommitError('RETRIABLE', `commit failed (attempt ${attempt}); retrying`, context), attempt, true)
          intent.attempts = attempt
          this.pending = this.pending === undefined ? intent : mergeInto(intent, this.pending)
          this.backoff = this.deps.clock.schedule(this.deps.delayMs(attempt, cause), () => {
            this.backoff = undefined
            this.deps.source.wake()
          })
          return
        }
        this.fail(intent, request, attempt, new CommitError('RETRIES_EXHAUSTED', `commit failed ${attempt} times with retriable errors`, context))
        break
      }
      case 'rebalance': {
        const error = new CommitError('REBALANCE_IN_PROGRESS', 'commit hit a rebalance; it is re-sent after the assignment changes', context)
        this.deps.observer.failed(request, error, attempt, true)
        const parkable = intent.waiters.filter((w) => w.parkable)
        for (const waiter of intent.waiters) if (!waiter.parkable) waiter.settle({ ok: false, error })
        // Do not hold dispatch across a rebalance: the re-commit carries their offsets anyway.
        this.deps.source.liftSyncHolds(intent.holds)
        const parked: Intent<S> = { scope: intent.scope, sync: intent.sync, reason: intent.reason, waiters: parkable, holds: [], attempts: 0, probe: intent.probe }
        this.parked = this.parked === undefined ? parked : mergeInto(this.parked, parked)
        break
      }
      case 'fenced':
        this.fail(intent, request, attempt, new CommitError('FENCED', 'commit rejected: this member no longer owns the partitions (fenced); dropped', context))
        break
      case 'fatal':
        this.fail(intent, request, attempt, new CommitError('FATAL', 'commit failed with a non-retriable error', context))
        break
    }
    this.deps.source.wake()
  }

  private fail(intent: Intent<S>, request: CommitRequest, attempt: number, error: CommitError): void {
    this.deps.observer.failed(request, error, attempt, false)
    this.finish(intent, { ok: false, error })
  }

  private finish(intent: Intent<S>, outcome: CommitOutcome): void {
    if (intent.holds.length > 0) this.deps.source.liftSyncHolds(intent.holds)
    for (const waiter of intent.waiters) waiter.settle(outcome)
  }

  private classify(error: unknown): CommitErrorClass {
    try {
      const classification: unknown = this.deps.port.classifyCommitError(error)
      if (typeof classification === 'string' && CLASSES.has(classification)) return classification as CommitErrorClass
      this.deps.logger.error('classifyCommitError returned an unknown class; treating the error as fatal', { classification: String(classification) })
    } catch (thrown) {
      this.deps.logger.error('classifyCommitError threw; treating the error as fatal', { error: String(thrown) })
    }
    return 'fatal'
  }
}

/** Folds `later` into `base` (base keeps its attempt count: a retry stays bounded). */
function mergeInto<S>(base: Intent<S>, later: Intent<S>): Intent<S> {
  if (base.scope !== 'all') {
    if (later.scope === 'all') base.scope = 'all'
    else for (const s of later.scope) base.scope.add(s)
  }
  base.sync ||= later.sync
  base.probe ||= later.probe
  if (REASON_RANK[later.reason] > REASON_RANK[base.reason]) base.reason = later.reason
  base.waiters.push(...later.waiters)
  base.holds.push(...later.holds)
  return base
}
