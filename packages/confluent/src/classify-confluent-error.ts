import type { CommitErrorClass } from '@offsetkit/commit-core'

// librdkafka error codes (negative: local to librdkafka, positive: Kafka protocol errors), by how
// core must treat a failed commit. Numbers, not the client's CODES table, so classifying never
// loads the native binding; a unit test checks them against the installed client.
const REBALANCE = new Set([
  27, // REBALANCE_IN_PROGRESS
])
const FENCED = new Set([
  22, // ILLEGAL_GENERATION: the group moved on since this member joined
  25, // UNKNOWN_MEMBER_ID: session expired
  82, // FENCED_INSTANCE_ID: another member took our group.instance.id
  113, // STALE_MEMBER_EPOCH (KIP-848)
  3, // UNKNOWN_TOPIC_OR_PART: the topic is gone, nothing left to commit to
  -142, // ERR__ASSIGNMENT_LOST
  -172, // ERR__STATE: the consumer is closing or closed (also raised by the port when disconnected)
])
const RETRIABLE = new Set([
  14, // COORDINATOR_LOAD_IN_PROGRESS
  15, // COORDINATOR_NOT_AVAILABLE
  16, // NOT_COORDINATOR
  7, // REQUEST_TIMED_OUT
  13, // NETWORK_EXCEPTION
  -1, // UNKNOWN (unknown broker error)
  -180, // ERR__WAIT_COORD
  -185, // ERR__TIMED_OUT
  -187, // ERR__ALL_BROKERS_DOWN
  -195, // ERR__TRANSPORT
])

/**
 * The one place confluent commit errors are mapped onto core's classes. Both the rdkafka API
 * (LibrdKafkaError) and the KafkaJS API (KafkaJSError) carry the librdkafka code in `code`.
 */
export function classifyConfluentCommitError(error: unknown): CommitErrorClass {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code !== 'number') continue
    if (REBALANCE.has(code)) return 'rebalance'
    if (FENCED.has(code)) return 'fenced'
    if (RETRIABLE.has(code)) return 'retriable'
  }
  return 'fatal'
}
