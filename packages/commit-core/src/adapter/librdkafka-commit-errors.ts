import type { CommitErrorClass } from '../client-port.js'
import { classifyByCause } from './classify-by-cause.js'

// librdkafka error codes (negative: local to librdkafka; positive: Kafka protocol errors) by how
// core must treat a failed commit. ONE table for both librdkafka clients (node-rdkafka and
// @confluentinc/kafka-javascript, whose rdkafka and KafkaJS APIs both carry the code in `code`).
// Numbers, not a client's CODES table, so classifying never loads a native binding; each adapter's
// unit test checks them against its installed client.
/** librdkafka codes of a commit refused because the group is rebalancing: classified `rebalance`. */
export const LIBRDKAFKA_REBALANCE: ReadonlySet<number> = new Set([
  27, // REBALANCE_IN_PROGRESS
  // ILLEGAL_GENERATION: the group moved to a generation this member has not seen yet — a commit
  // sent while it rejoins (its own or others' joins and leaves). Apache Kafka's Java consumer
  // raises RebalanceInProgressException for it when the generation changed meanwhile. Core re-sends
  // after the assignment changes, only for partitions this member still owns: a member that was
  // really replaced loses them (lost/revoked) and sends nothing. As 'fenced' it dropped done work
  // of partitions the member kept (duplicates after clean joins and leaves, found by `pnpm validate`).
  22,
])

/** librdkafka codes meaning this member no longer owns what it commits: classified `fenced` (dropped). */
export const LIBRDKAFKA_FENCED: ReadonlySet<number> = new Set([
  25, // UNKNOWN_MEMBER_ID: session expired
  82, // FENCED_INSTANCE_ID: another member took our group.instance.id
  3, // UNKNOWN_TOPIC_OR_PART: the topic is gone, nothing left to commit to
  -142, // ERR__ASSIGNMENT_LOST (node-rdkafka has no assignmentLost(): a lost assignment shows up here)
  -147, // ERR__MAX_POLL_EXCEEDED: kicked out for not polling; it owns nothing any more
  -168, // ERR__NO_OFFSET: offsetkit sends explicit offsets, so librdkafka sent nothing; never a success
  -172, // ERR__STATE: closing or closed (also what the ports raise when disconnected)
  -197, // ERR__DESTROY: the handle is being destroyed; the commit will never be sent
])

/** librdkafka codes of a transient commit failure: classified `retriable` (core backs off and retries). */
export const LIBRDKAFKA_RETRIABLE: ReadonlySet<number> = new Set([
  7, // REQUEST_TIMED_OUT
  13, // NETWORK_EXCEPTION
  14, // COORDINATOR_LOAD_IN_PROGRESS
  15, // COORDINATOR_NOT_AVAILABLE
  16, // NOT_COORDINATOR
  -180, // ERR__WAIT_COORD
  -185, // ERR__TIMED_OUT
  -187, // ERR__ALL_BROKERS_DOWN
  -195, // ERR__TRANSPORT
])
/**
 * librdkafka's "purged" codes: a request or message dropped from a queue before it was answered
 * (by an abort, a purge, a coordinator change). The consequence of something else, never a verdict:
 * a delivery report with it is a consequence of the abort; a transaction aborted because of it can
 * be tried again (seen: sendOffsetsToTransaction under KIP-848 while the group rebalanced).
 */
export const LIBRDKAFKA_PURGED: ReadonlySet<number> = new Set([
  -152, // ERR__PURGE_QUEUE
  -151, // ERR__PURGE_INFLIGHT
])

/**
 * STALE_MEMBER_EPOCH (KIP-848): the member is in the group under a NEWER epoch than the commit
 * carried — its assignment changed while the commit was on its way (a member joined or left).
 * Not a fence: under KIP-848 a live member's partitions move only after it acknowledged their
 * revocation, and core never re-sends for a partition it released. So it is retried (`retriable`):
 * librdkafka sends the retry with the epoch its heartbeat brought, as Apache Kafka's Java consumer
 * retries an OffsetCommit after STALE_MEMBER_EPOCH once it has a new epoch. As `fenced`, the close
 * commit of a member that got a new assignment while closing was dropped (`pnpm validate`, a
 * partition committed 7 short of its end). Transactions keep it fenced (their own table).
 */
export const LIBRDKAFKA_STALE_EPOCH = 113

// Not retriable: -1 (UNKNOWN, "unknown broker error"). librdkafka's own OffsetCommit handling
// retries only the codes above and treats anything unlisted as permanent, as Apache Kafka's Java
// consumer does ("unexpected error in commit"); retrying it would only delay the surfaced error.

/**
 * The one mapping of librdkafka commit errors onto core's classes. Walks `cause` (a wrapper such as
 * the KafkaJS API's error or a port's own error may carry the client error underneath).
 */
export function classifyLibrdkafkaCommitError(error: unknown): CommitErrorClass {
  return classifyByCause(error, (e) => {
    const code = (e as { code?: unknown }).code
    if (typeof code !== 'number') return undefined
    if (LIBRDKAFKA_REBALANCE.has(code)) return 'rebalance'
    if (code === LIBRDKAFKA_STALE_EPOCH) return 'retriable'
    if (LIBRDKAFKA_FENCED.has(code)) return 'fenced'
    if (LIBRDKAFKA_RETRIABLE.has(code)) return 'retriable'
    return undefined
  })
}
