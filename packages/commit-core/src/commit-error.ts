import { OffsetkitError } from './offsetkit-error.js'
import type { CommitErrorClass, CommitRequest } from './client-port.js'

/** The `code` of a {@link CommitError}. */
export type CommitErrorCode =
  /** Retriable (coordinator moving/loading, timeout); reported in events while core retries. */
  | 'RETRIABLE'
  /** Retriable errors kept coming until the attempts ran out; surfaced to waiters. */
  | 'RETRIES_EXHAUSTED'
  /** The group is rebalancing; the commit is parked and re-sent after the rebalance. */
  | 'REBALANCE_IN_PROGRESS'
  /** Illegal generation / unknown member: this member no longer owns what it tried to commit. */
  | 'FENCED'
  /** Not fixable by retrying (authorization, metadata too large, a bug). */
  | 'FATAL'
  /** A commit was requested after `close()`. */
  | 'CLOSED'
  /** The close's final commit got no answer within `closeTimeoutMs` (e.g. the coordinator is unreachable). */
  | 'TIMED_OUT'

/** Every commit failure core surfaces, whatever the client threw (kept as `cause`). */
export class CommitError extends OffsetkitError {
  /** What failed; `retriable` is true for `RETRIABLE`, `RETRIES_EXHAUSTED` and `REBALANCE_IN_PROGRESS`. */
  readonly code: CommitErrorCode
  /** How the adapter classified the client error; undefined for `CLOSED` and `TIMED_OUT`. */
  readonly classification: CommitErrorClass | undefined
  /** Attempts made for this commit, including the failed one. */
  readonly attempts: number
  /** The commit that failed; undefined for `CLOSED` and `TIMED_OUT`. */
  readonly request: CommitRequest | undefined

  constructor(
    code: CommitErrorCode,
    message: string,
    options: {
      cause?: unknown
      classification?: CommitErrorClass
      attempts?: number
      request?: CommitRequest
    } = {},
  ) {
    super(message, {
      ...('cause' in options ? { cause: options.cause } : {}),
      retriable: code === 'RETRIABLE' || code === 'RETRIES_EXHAUSTED' || code === 'REBALANCE_IN_PROGRESS',
    })
    this.code = code
    this.classification = options.classification
    this.attempts = options.attempts ?? 0
    this.request = options.request
  }
}
