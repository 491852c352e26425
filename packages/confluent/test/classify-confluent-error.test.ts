import { KafkaJS } from '@confluentinc/kafka-javascript'
import { describe, expect, it } from 'vitest'
import { classifyConfluentCommitError } from '../src/classify-confluent-error.js'
import { ConfluentTransactionError, type TransactionOutcome, type TransactionStage } from '../src/confluent-transaction-error.js'

const { ErrorCodes } = KafkaJS
const withCode = (code: number) => Object.assign(new Error(`code ${code}`), { code })

describe('classifyConfluentCommitError', () => {
  it.each([
    ['ERR_REBALANCE_IN_PROGRESS', 'rebalance'],
    // A commit sent while the member rejoins: re-sent after the assignment changes, for partitions still owned.
    ['ERR_ILLEGAL_GENERATION', 'rebalance'],
    ['ERR_UNKNOWN_MEMBER_ID', 'fenced'],
    ['ERR_FENCED_INSTANCE_ID', 'fenced'],
    // KIP-848: the member's epoch moved on (a new assignment) while the commit was on its way;
    // librdkafka's retry carries the new one. Only a released partition is never re-sent.
    ['ERR_STALE_MEMBER_EPOCH', 'retriable'],
    ['ERR_UNKNOWN_TOPIC_OR_PART', 'fenced'],
    ['ERR__ASSIGNMENT_LOST', 'fenced'],
    ['ERR__STATE', 'fenced'],
    ['ERR_COORDINATOR_LOAD_IN_PROGRESS', 'retriable'],
    ['ERR_COORDINATOR_NOT_AVAILABLE', 'retriable'],
    ['ERR_NOT_COORDINATOR', 'retriable'],
    ['ERR_REQUEST_TIMED_OUT', 'retriable'],
    ['ERR_NETWORK_EXCEPTION', 'retriable'],
    ['ERR__WAIT_COORD', 'retriable'],
    ['ERR__TIMED_OUT', 'retriable'],
    ['ERR__ALL_BROKERS_DOWN', 'retriable'],
    ['ERR__TRANSPORT', 'retriable'],
    ['ERR__MAX_POLL_EXCEEDED', 'fenced'],
    ['ERR__NO_OFFSET', 'fenced'],
    ['ERR__DESTROY', 'fenced'],
    // librdkafka treats an unlisted OffsetCommit error as permanent (and Apache Kafka's Java
    // consumer an unexpected one as fatal): the one code table of both librdkafka adapters agrees.
    ['ERR_UNKNOWN', 'fatal'],
    ['ERR_GROUP_AUTHORIZATION_FAILED', 'fatal'],
    ['ERR_OFFSET_METADATA_TOO_LARGE', 'fatal'],
    ['ERR__INVALID_ARG', 'fatal'],
  ] as const)('%s (looked up in the installed client) → %s', (name, expected) => {
    const code = (ErrorCodes as Record<string, number>)[name]
    expect(code, `${name} exists in the client's ErrorCodes`).toBeTypeOf('number')
    expect(classifyConfluentCommitError(withCode(code as number))).toBe(expected)
  })

  it('finds the code on a wrapped cause and calls anything without a code fatal', () => {
    expect(classifyConfluentCommitError(new Error('wrapper', { cause: withCode(27) }))).toBe('rebalance')
    expect(classifyConfluentCommitError(new Error('KafkaConsumer is disconnected'))).toBe('fatal')
    expect(classifyConfluentCommitError('not an error')).toBe('fatal')
    expect(classifyConfluentCommitError(undefined)).toBe('fatal')
  })
})

describe('classifyConfluentCommitError: transactional commits', () => {
  const code = (name: string): number => (ErrorCodes as Record<string, number>)[name] as number
  // The rdkafka API's LibrdKafkaError: librdkafka's transactional flags next to the code.
  const txnError = (name: string, flags: { isFatal?: boolean; isRetriable?: boolean; isTxnRequiresAbort?: boolean } = {}) =>
    Object.assign(new Error(name), { code: code(name), isFatal: false, isRetriable: false, isTxnRequiresAbort: false, ...flags })
  const failed = (stage: TransactionStage, outcome: TransactionOutcome, cause: unknown) => new ConfluentTransactionError(stage, outcome, cause)

  it.each([
    // KIP-447 fencing by group metadata, after the abort: what a plain commit's code means.
    ['send-offsets', 'aborted', txnError('ERR_ILLEGAL_GENERATION', { isTxnRequiresAbort: true }), 'rebalance'],
    ['send-offsets', 'aborted', txnError('ERR_UNKNOWN_MEMBER_ID', { isTxnRequiresAbort: true }), 'fenced'],
    ['send-offsets', 'aborted', txnError('ERR_FENCED_INSTANCE_ID', { isTxnRequiresAbort: true }), 'fenced'],
    // A transaction's group metadata from an old member epoch is fenced (a plain commit retries it).
    ['send-offsets', 'aborted', txnError('ERR_STALE_MEMBER_EPOCH', { isTxnRequiresAbort: true }), 'fenced'],
    ['send-offsets', 'aborted', txnError('ERR_REBALANCE_IN_PROGRESS', { isTxnRequiresAbort: true }), 'rebalance'],
    // Coordinator trouble and timeouts: a new transaction can succeed.
    ['send-offsets', 'aborted', txnError('ERR_COORDINATOR_NOT_AVAILABLE', { isRetriable: true }), 'retriable'],
    ['send-offsets', 'aborted', txnError('ERR__PURGE_QUEUE'), 'retriable'],
    ['commit', 'aborted', txnError('ERR__TIMED_OUT', { isRetriable: true }), 'retriable'],
    ['produce', 'aborted', txnError('ERR_NOT_COORDINATOR'), 'retriable'],
    ['produce', 'aborted', txnError('ERR_INVALID_PRODUCER_EPOCH', { isTxnRequiresAbort: true }), 'retriable'],
    ['commit', 'aborted', txnError('ERR_CONCURRENT_TRANSACTIONS', { isTxnRequiresAbort: true }), 'retriable'],
    ['begin', 'not-begun', txnError('ERR__TIMED_OUT', { isRetriable: true }), 'retriable'],
    // A produce error that would come back: surfaced, even though the transaction was aborted.
    ['produce', 'aborted', txnError('ERR_MSG_SIZE_TOO_LARGE', { isTxnRequiresAbort: true }), 'fatal'],
    ['produce', 'aborted', txnError('ERR_UNKNOWN_TOPIC_OR_PART', { isTxnRequiresAbort: true }), 'fatal'],
    ['produce', 'aborted', txnError('ERR_TOPIC_AUTHORIZATION_FAILED', { isTxnRequiresAbort: true }), 'fatal'],
    // A fenced producer (another live instance with this transactional.id) is fatal in librdkafka.
    ['send-offsets', 'not-aborted', txnError('ERR__FENCED', { isFatal: true }), 'fatal'],
    ['commit', 'unknown', txnError('ERR_PRODUCER_FENCED', { isFatal: true }), 'fatal'],
    ['begin', 'not-begun', txnError('ERR__FATAL', { isFatal: true }), 'fatal'],
    // Commit called and not provably aborted: it may have committed; never re-sent.
    ['commit', 'unknown', txnError('ERR__TIMED_OUT', { isRetriable: true }), 'fatal'],
    ['commit', 'unknown', txnError('ERR__STATE'), 'fatal'],
    ['produce', 'not-aborted', txnError('ERR__TIMED_OUT', { isRetriable: true }), 'fatal'],
  ] as const)('%s, %s, %s → %s', (stage, outcome, cause, expected) => {
    expect(cause.code, `${cause.message} exists in the client's ErrorCodes`).toBeTypeOf('number')
    expect(classifyConfluentCommitError(failed(stage, outcome, cause))).toBe(expected)
  })

  it('finds a transaction error under a wrapper', () => {
    const aborted = failed('send-offsets', 'aborted', txnError('ERR_UNKNOWN_MEMBER_ID', { isTxnRequiresAbort: true }))
    expect(classifyConfluentCommitError(new Error('wrapper', { cause: aborted }))).toBe('fenced')
  })
})
