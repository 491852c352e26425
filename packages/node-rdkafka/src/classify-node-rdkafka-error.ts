import type { CommitErrorClass } from '@offsetkit/commit-core'

// librdkafka error codes (node-rdkafka `CODES.ERRORS`): negative codes are local to librdkafka,
// positive ones are Kafka protocol errors returned by the broker.
const ERR__ASSIGNMENT_LOST = -142
const ERR__MAX_POLL_EXCEEDED = -147
const ERR__NO_OFFSET = -168
const ERR__STATE = -172
const ERR__WAIT_COORD = -180
const ERR__TIMED_OUT = -185
const ERR__TRANSPORT = -195
const ERR__DESTROY = -197
const ERR_UNKNOWN_TOPIC_OR_PART = 3
const ERR_REQUEST_TIMED_OUT = 7
const ERR_NETWORK_EXCEPTION = 13
const ERR_COORDINATOR_LOAD_IN_PROGRESS = 14
const ERR_COORDINATOR_NOT_AVAILABLE = 15
const ERR_NOT_COORDINATOR = 16
const ERR_ILLEGAL_GENERATION = 22
const ERR_UNKNOWN_MEMBER_ID = 25
const ERR_REBALANCE_IN_PROGRESS = 27
const ERR_FENCED_INSTANCE_ID = 82
const ERR_STALE_MEMBER_EPOCH = 113

const RETRIABLE: ReadonlySet<number> = new Set([
  ERR_COORDINATOR_LOAD_IN_PROGRESS, ERR_COORDINATOR_NOT_AVAILABLE, ERR_NOT_COORDINATOR, ERR_REQUEST_TIMED_OUT,
  ERR_NETWORK_EXCEPTION, ERR__TIMED_OUT, ERR__TRANSPORT, ERR__WAIT_COORD,
])

const FENCED: ReadonlySet<number> = new Set([
  ERR_ILLEGAL_GENERATION, ERR_UNKNOWN_MEMBER_ID, ERR_FENCED_INSTANCE_ID, ERR_STALE_MEMBER_EPOCH,
  // node-rdkafka has no assignmentLost(): a lost assignment only shows up as these commit errors.
  ERR__ASSIGNMENT_LOST,
  // The member was kicked out for not polling; it no longer owns anything.
  ERR__MAX_POLL_EXCEEDED,
  // "Local: Erroneous state": the consumer is closing or disconnected, the commit was not sent.
  ERR__STATE,
  // The handle is being destroyed; the commit will never be sent.
  ERR__DESTROY,
  // offsetkit only sends explicit, non-negative offsets, so "no offset" means librdkafka sent
  // nothing. Reporting that as success would acknowledge a commit that never happened; 'fenced'
  // drops it, which is what core does for any commit this member can no longer make.
  ERR__NO_OFFSET,
  // The topic is gone (deleted); retrying cannot succeed (same choice as the kafkajs adapter).
  ERR_UNKNOWN_TOPIC_OR_PART,
])

/** The one place librdkafka commit error codes are mapped onto core's classes. */
export function classifyNodeRdkafkaCommitError(error: unknown): CommitErrorClass {
  if (typeof error !== 'object' || error === null) return 'fatal'
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'number') return 'fatal'
  if (code === ERR_REBALANCE_IN_PROGRESS) return 'rebalance'
  if (FENCED.has(code)) return 'fenced'
  if (RETRIABLE.has(code)) return 'retriable'
  return 'fatal'
}
