import type { CommitOffset, RecordOffset } from './offset.js'
import type { ProcessingError } from './processing-error.js'
import type { TopicPartition } from './topic-partition.js'

/** A record as an adapter hands it to core. `native` is the client's own message, untouched. */
export interface EngineRecord<N = unknown> {
  readonly topic: string
  readonly partition: number
  readonly offset: RecordOffset
  /** Used by `ordering: 'key'`. Records without a key are ordered among themselves. */
  readonly key?: Uint8Array | string | null | undefined
  /** Leader epoch of the fetched batch, when the client exposes it (KIP-320). */
  readonly leaderEpoch?: number | undefined
  readonly native: N
}

/** A partition's next offset to read, e.g. a fetch position or a committed offset. */
export interface PartitionOffset extends TopicPartition {
  readonly offset: CommitOffset
}

export interface CommitEntry extends TopicPartition {
  /** Next offset to read: already "+1"; adapters pass it to the client unchanged. */
  readonly offset: CommitOffset
  /** Present only when the port declares `capabilities.leaderEpoch`. */
  readonly leaderEpoch?: number
  /** Reserved for commit-metadata encoding; only sent when `capabilities.commitMetadata`. */
  readonly metadata?: string
}

export type CommitReason = 'policy' | 'manual' | 'revoke' | 'close'

export interface CommitRequest {
  readonly offsets: readonly CommitEntry[]
  /**
   * true: resolve only once the broker acknowledged the commit (revoke, close, per-message
   * sync, manual). false: the adapter may resolve as soon as the commit is queued.
   */
  readonly sync: boolean
  readonly reason: CommitReason
}

/**
 * How a commit failure is handled, decided once by the adapter from its client's error codes:
 * - `retriable`: coordinator loading/moving, request timed out → core backs off and retries.
 * - `rebalance`: REBALANCE_IN_PROGRESS → core parks the commit and re-sends it after the next
 *   assignment change, for partitions still owned.
 * - `fenced`: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, assignment lost → dropped, never thrown
 *   from a background path.
 * - `fatal`: authorization, offset metadata too large, anything unknown → surfaced.
 */
export type CommitErrorClass = 'retriable' | 'rebalance' | 'fenced' | 'fatal'

export interface ClientCapabilities {
  /** The client can send a leader epoch with committed offsets. */
  readonly leaderEpoch: boolean
  /** The client can send a metadata string with committed offsets. */
  readonly commitMetadata: boolean
  /** The client can send offsets inside a producer transaction (exactly-once; not used yet). */
  readonly transactions: boolean
}

/** What an adapter implements for core. Core calls these; it never touches the client. */
export interface ClientPort<N = unknown> {
  readonly capabilities: ClientCapabilities
  /** Commits offsets. Core keeps at most one call outstanding at a time. */
  commit(request: CommitRequest): Promise<void>
  /** Maps a rejection of `commit` onto a class. Anything unexpected should be `fatal`. */
  classifyCommitError(error: unknown): CommitErrorClass
  /** Stop fetching these partitions (a bound was hit, or the partition stopped). */
  pause(partitions: readonly TopicPartition[]): void | Promise<void>
  /** Fetch these partitions again. */
  resume(partitions: readonly TopicPartition[]): void | Promise<void>
  /** Required by `failure.then: 'dead-letter'`. Resolve once the record is durably produced. */
  deadLetter?(record: EngineRecord<N>, error: ProcessingError, attempts: number): Promise<void>
  /**
   * Required by `commit: 'auto'`: keep the client's offset store at the watermark so its own
   * auto-commit never passes an unfinished record (rdkafka `offsetsStore`, kafkajs `resolveOffset`).
   */
  storeOffsets?(offsets: readonly CommitEntry[]): void | Promise<void>
  /**
   * Optional: where these partitions' logs end and, when known, where this consumer starts
   * reading them. Asked only for partitions that delivered nothing for `liveness.starvationMs`,
   * so a partition that is never consumed cannot hide.
   */
  queryEndOffsets?(partitions: readonly TopicPartition[]): Promise<readonly LogOffsets[]>
}

/** A partition's log end and, when known, where this consumer starts reading it. */
export interface LogOffsets extends TopicPartition {
  readonly end: CommitOffset
  /** The group's committed offset, or where `auto.offset.reset` puts a group without one. */
  readonly start?: CommitOffset | undefined
}
