import type { CommitErrorClass } from '@offsetkit/commit-core'
import { LIBRDKAFKA_PURGED, LIBRDKAFKA_RETRIABLE, classifyByCause, classifyLibrdkafkaCommitError } from '@offsetkit/commit-core/adapter'
import { NodeRdkafkaTransactionError } from './node-rdkafka-transaction-error.js'

/**
 * The one place node-rdkafka commit errors are mapped onto core's classes. A transactional commit
 * rejects with a NodeRdkafkaTransactionError that already carries its class; anything else is
 * classified by librdkafka's code (the table shared with confluent).
 */
export function classifyNodeRdkafkaCommitError(error: unknown): CommitErrorClass {
  if (error instanceof NodeRdkafkaTransactionError) return error.classification
  return classifyLibrdkafkaCommitError(error)
}

// Why an ABORTED transaction failed, by the librdkafka code of its cause. Not the offset-commit
// table: there UNKNOWN_TOPIC_OR_PART means "input topic gone, drop", while here it is an output
// topic that does not exist, which must surface.
const TRANSACTION_FENCED: ReadonlySet<number> = new Set([
  22, // ILLEGAL_GENERATION: TxnOffsetCommit with group metadata of an old generation (KIP-447)
  25, // UNKNOWN_MEMBER_ID
  82, // FENCED_INSTANCE_ID
  113, // STALE_MEMBER_EPOCH (KIP-848)
  -142, // ERR__ASSIGNMENT_LOST
  -147, // ERR__MAX_POLL_EXCEEDED
  -172, // ERR__STATE: the consumer is closing or closed (ClientNotRunningError too)
  -144, // ERR__FENCED: producer fenced, when librdkafka did not also raise it as fatal
  90, // PRODUCER_FENCED
  47, // INVALID_PRODUCER_EPOCH
])

const TRANSACTION_RETRIABLE: ReadonlySet<number> = new Set([
  ...LIBRDKAFKA_RETRIABLE,
  51, // CONCURRENT_TRANSACTIONS: the coordinator still completes the previous transaction
  6, // NOT_LEADER_OR_FOLLOWER
  -192, // ERR__MSG_TIMED_OUT: an output was not delivered in message.timeout.ms
  -184, // ERR__QUEUE_FULL: the producer queue stayed full
  // A request purged before it was answered (E4 of the conformance suite's full tier). The
  // transaction was aborted, so a new one is safe; as an unknown cause it was fatal.
  ...LIBRDKAFKA_PURGED,
])

/** The class of a transaction that was aborted because of `cause`. Unknown causes are `fatal`. */
export function classifyAbortedTransaction(cause: unknown): CommitErrorClass {
  return classifyByCause(cause, (e) => {
    const code = (e as { code?: unknown }).code
    if (typeof code !== 'number') return undefined
    if (code === 27) return 'rebalance' // REBALANCE_IN_PROGRESS
    if (TRANSACTION_FENCED.has(code)) return 'fenced'
    if (TRANSACTION_RETRIABLE.has(code)) return 'retriable'
    return undefined
  })
}
