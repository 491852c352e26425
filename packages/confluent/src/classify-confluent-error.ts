import type { CommitErrorClass } from '@offsetkit/commit-core'
import { LIBRDKAFKA_PURGED, LIBRDKAFKA_RETRIABLE, LIBRDKAFKA_STALE_EPOCH, classifyLibrdkafkaCommitError } from '@offsetkit/commit-core/adapter'
import { ConfluentTransactionError } from './confluent-transaction-error.js'

/** librdkafka's flags on a transactional API error (rdkafka API; the KafkaJS API 1.10.1 loses them). */
export interface TransactionErrorFlags {
  readonly code?: unknown
  readonly isFatal?: unknown
  readonly isRetriable?: unknown
  readonly isTxnRequiresAbort?: unknown
}

// Abortable errors after which a new transaction can succeed: librdkafka bumps the producer epoch
// on abort (KIP-360), or the coordinator was busy finishing the previous transaction.
const TRANSACTION_RETRIABLE: ReadonlySet<number> = new Set([
  47, // INVALID_PRODUCER_EPOCH
  51, // CONCURRENT_TRANSACTIONS
  59, // UNKNOWN_PRODUCER_ID
  // A request purged before it was answered: only classified for an aborted transaction, safe to retry.
  ...LIBRDKAFKA_PURGED,
])

/** librdkafka flags a fatal producer error: the producer can never be used again. */
export const isFatalProducerError = (error: unknown): boolean => flag(error, 'isFatal')

export function flag(error: unknown, name: 'isFatal' | 'isRetriable' | 'isTxnRequiresAbort'): boolean {
  return typeof error === 'object' && error !== null && (error as TransactionErrorFlags)[name] === true
}

const codeOf = (error: unknown): number | undefined => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === 'number' ? code : undefined
}

/**
 * A failed transactional commit. Only a transaction known not to have committed (aborted, or never
 * begun) is anything but fatal: a commit whose outcome is unknown must never be sent again.
 */
function classifyTransactionError(error: ConfluentTransactionError): CommitErrorClass {
  if (error.outcome === 'unknown' || error.outcome === 'not-aborted') return 'fatal'
  const cause = error.cause
  // Fatal: fenced by a newer producer with this transactional.id (PRODUCER_FENCED, ERR__FENCED),
  // authorization, an unsupported broker. The producer is unusable.
  if (isFatalProducerError(cause)) return 'fatal'
  const code = codeOf(cause)
  if (error.stage === 'send-offsets' || error.stage === 'commit') {
    // Group errors of the TxnOffsetCommit (KIP-447: fenced by the consumer's group metadata) mean
    // what they mean for a plain commit: ILLEGAL_GENERATION → rebalance, UNKNOWN_MEMBER_ID → fenced.
    const group = classifyLibrdkafkaCommitError(cause)
    if (group === 'rebalance' || group === 'fenced') return group
    // A plain commit retries it with the new epoch; a transaction's group metadata is fenced.
    if (code === LIBRDKAFKA_STALE_EPOCH) return 'fenced'
  }
  if (flag(cause, 'isRetriable')) return 'retriable'
  if (code !== undefined && (LIBRDKAFKA_RETRIABLE.has(code) || TRANSACTION_RETRIABLE.has(code))) return 'retriable'
  // Anything else (a record too large, an output topic missing or not authorised) would fail again.
  return 'fatal'
}

/**
 * The one place confluent commit errors are mapped onto core's classes: librdkafka's codes, shared
 * with node-rdkafka. Both of this client's APIs (LibrdKafkaError, KafkaJSError) carry the code in
 * `code`, sometimes on a `cause`. A transactional commit rejects with a ConfluentTransactionError
 * saying what became of the transaction; its cause carries librdkafka's code and flags.
 */
export function classifyConfluentCommitError(error: unknown): CommitErrorClass {
  const seen = new Set<unknown>()
  for (let e: unknown = error; typeof e === 'object' && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e)
    if (e instanceof ConfluentTransactionError) return classifyTransactionError(e)
  }
  return classifyLibrdkafkaCommitError(error)
}
