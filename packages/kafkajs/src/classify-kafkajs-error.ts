import type { CommitErrorClass } from '@offsetkit/commit-core'
import { classifyByCause } from '@offsetkit/commit-core/adapter'

// kafkajs error `type`s (protocol error names) by how core must treat a failed commit.
const REBALANCE = new Set(['REBALANCE_IN_PROGRESS'])
// A newer producer of the same transactional id exists (the partition's next owner): kafkajs'
// old request versions get INVALID_PRODUCER_EPOCH where newer clients see PRODUCER_FENCED.
const PRODUCER_FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED'])
const FENCED = new Set([
  'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID', 'STALE_MEMBER_EPOCH', 'UNKNOWN_TOPIC_OR_PARTITION', ...PRODUCER_FENCED,
])
const RETRIABLE = new Set([
  'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR', 'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION', 'UNKNOWN_SERVER_ERROR', 'CONCURRENT_TRANSACTIONS',
])
const RETRIABLE_NAMES = new Set([
  'KafkaJSConnectionError', 'KafkaJSRequestTimeoutError', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSConnectionClosedError',
])
// The transactional port's own errors (transaction-errors.ts): the outer error decides, never its cause.
const FATAL_NAMES = new Set(['TransactionOutcomeUnknownError', 'TransactionAbortFailedError', 'TransactionPartlyCommittedError'])

/** The one place kafkajs commit errors are mapped onto core's classes. */
export function classifyKafkajsCommitError(error: unknown): CommitErrorClass {
  // The runner's retrier wraps the broker error; the protocol error is further down `cause`.
  return classifyByCause(error, (e) => {
    const name = (e as { name?: unknown }).name
    if (typeof name === 'string' && FATAL_NAMES.has(name)) return 'fatal'
    if (name === 'ProducerFencedError') return 'fenced'
    const type = (e as { type?: unknown }).type
    if (typeof type === 'string') {
      if (REBALANCE.has(type)) return 'rebalance'
      if (FENCED.has(type)) return 'fenced'
      if (RETRIABLE.has(type)) return 'retriable'
    }
    if (name === 'ClientNotRunningError') return 'fenced'
    // The retrier can wrap a connection error (broker restarting) in a KafkaJSNonRetriableError.
    if (typeof name === 'string' && RETRIABLE_NAMES.has(name)) return 'retriable'
    return undefined
  })
}

/** Whether a newer producer of the same transactional id fenced this one (the broker aborted its transaction). */
export function isFencedKafkajsError(error: unknown): boolean {
  return classifyByCause(error, (e) => {
    const type = (e as { type?: unknown }).type
    return (e as { name?: unknown }).name === 'ProducerFencedError' || (typeof type === 'string' && PRODUCER_FENCED.has(type)) ? 'fenced' : undefined
  }) === 'fenced'
}

// What kafkajs crashes its consumer with, without restarting it, when the cluster is briefly
// unreachable (a broker restarting, its coordinator still loading): every broker failed the
// coordinator lookup ("Failed to find group coordinator"), a KafkaJSNonRetriableError.
const TRANSIENT_CRASH_NAMES = new Set(['KafkaJSGroupCoordinatorNotFound'])

/**
 * Whether a crash kafkajs does not recover from itself is the cluster being briefly unreachable,
 * which the adapter recovers from by starting the consumer again (as the Java consumer keeps
 * looking for its coordinator), rather than a fault no retry mends (authorization, bad config).
 * A crash kafkajs itself deems retriable is never one: when it did not restart from that, the
 * application's `retry.restartOnFailure` said not to, and that stands.
 */
export function isTransientKafkajsCrash(error: unknown): boolean {
  let root: unknown = error
  while (root instanceof Error && root.cause !== undefined) root = root.cause
  const kafkajsRetriable = (error as { name?: unknown }).name === 'KafkaJSNumberOfRetriesExceeded' || (root as { retriable?: unknown }).retriable === true
  if (kafkajsRetriable) return false
  return classifyByCause(error, (e) => {
    const name = (e as { name?: unknown }).name
    return typeof name === 'string' && TRANSIENT_CRASH_NAMES.has(name) ? 'retriable' : undefined
  }) === 'retriable'
}
