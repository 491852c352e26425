import type { CommitOffset, RecordOffset } from './offset.js'
import type { ProcessingError } from './processing-error.js'
import type { TopicPartition } from './topic-partition.js'

/** A record as an adapter hands it to core. `native` is the client's own message, untouched. */
export interface EngineRecord<N = unknown> {
  /** Topic the record was fetched from. */
  readonly topic: string
  /** Partition the record was fetched from. */
  readonly partition: number
  /** The record's own offset (not the commit offset, which is this plus one). */
  readonly offset: RecordOffset
  /** Used by `ordering: 'key'`. Records without a key are ordered among themselves. */
  readonly key?: Uint8Array | string | null | undefined
  /** Leader epoch of the fetched batch, when the client exposes it (KIP-320). */
  readonly leaderEpoch?: number | undefined
  /** The client's own message object, passed through untouched. */
  readonly native: N
}

/** A partition's next offset to read, e.g. a fetch position or a committed offset. */
export interface PartitionOffset extends TopicPartition {
  /** The next offset to read (a commit offset: last processed record + 1). */
  readonly offset: CommitOffset
}

/** One partition's offset in a {@link CommitRequest}. */
export interface CommitEntry extends TopicPartition {
  /** Next offset to read: already "+1"; adapters pass it to the client unchanged. */
  readonly offset: CommitOffset
  /** Present only when the port declares `capabilities.leaderEpoch`. */
  readonly leaderEpoch?: number
  /** Reserved for commit-metadata encoding; only sent when `capabilities.commitMetadata`. */
  readonly metadata?: string
}

/**
 * Why core sends a commit: `policy` (the commit policy decided), `manual` (`commit()` was called),
 * `revoke` (final commit for partitions being revoked), `close` (final commit on close).
 */
export type CommitReason = 'policy' | 'manual' | 'revoke' | 'close'

/**
 * A record to produce in `mode: 'transactional'` (what a handler passes to `context.send`, after
 * core checked and normalised it). Produced only when the input record that sent it is committed,
 * in the same transaction as that commit.
 */
export interface OutputRecord {
  /** Topic to produce to. */
  readonly topic: string
  /** Record key; null for none. */
  readonly key: Uint8Array | string | null
  /** Record value; null for a tombstone. */
  readonly value: Uint8Array | string | null
  /** Absent: the client's partitioner picks one from the key. */
  readonly partition?: number
  /** Headers, in order (possibly none). */
  readonly headers: readonly OutputHeader[]
}

/** A header of an output record. */
export interface OutputHeader {
  /** Header name. */
  readonly key: string
  /** Header value; null for none. */
  readonly value: Uint8Array | string | null
}

/** The outputs of one input partition's records that a transactional commit covers, in input offset order. */
export interface PartitionOutputs extends TopicPartition {
  /** The outputs, in input offset order (possibly none). */
  readonly records: readonly OutputRecord[]
}

/** One commit core asks the port to send ({@link ClientPort.commit}). */
export interface CommitRequest {
  /** One entry per partition to commit; offsets are read when the commit is sent. */
  readonly offsets: readonly CommitEntry[]
  /**
   * `mode: 'transactional'` only (absent otherwise): one entry per partition in `offsets`, holding
   * the outputs of exactly the records those offsets cover (possibly none). The port produces them
   * and commits `offsets` in ONE transaction (see ClientPort.commit).
   */
  readonly outputs?: readonly PartitionOutputs[]
  /**
   * true: resolve only once the broker acknowledged the commit (revoke, close, per-message
   * sync, manual). false: the adapter may resolve as soon as the commit is queued.
   */
  readonly sync: boolean
  /** What triggered this commit. */
  readonly reason: CommitReason
}

/**
 * How a commit failure is handled, decided once by the adapter from its client's error codes:
 * - `retriable`: coordinator loading/moving, request timed out → core backs off and retries.
 * - `rebalance`: REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION → core parks the commit and re-sends it after the next
 *   assignment change, for partitions still owned.
 * - `fenced`: UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, assignment lost → dropped, never thrown
 *   from a background path.
 * - `fatal`: authorization, offset metadata too large, anything unknown → surfaced.
 */
export type CommitErrorClass = 'retriable' | 'rebalance' | 'fenced' | 'fatal'

/** What a port's client can do; core only uses a feature the port declares. */
export interface ClientCapabilities {
  /** The client can send a leader epoch with committed offsets. */
  readonly leaderEpoch: boolean
  /** The client can send a metadata string with committed offsets. */
  readonly commitMetadata: boolean
  /**
   * The port implements `mode: 'transactional'`: its `commit` produces `request.outputs` and
   * commits the offsets in one producer transaction.
   */
  readonly transactions: boolean
}

/** What an adapter implements for core. Core calls these; it never touches the client. */
export interface ClientPort<N = unknown> {
  /** Features of the client behind this port. */
  readonly capabilities: ClientCapabilities
  /**
   * Commits offsets. Core keeps at most one call outstanding at a time.
   *
   * In `mode: 'transactional'` (`request.outputs` present) one call is one transaction (or one per
   * input partition, for a client that cannot fence a zombie by group metadata): produce every
   * output, send the offsets to the transaction (with the consumer's group metadata where the client
   * has it, KIP-447), commit. It resolves only once the transaction committed. It rejects only
   * after the transaction was ABORTED (nothing of it visible to read_committed readers, no offset
   * moved): core then keeps the outputs and retries them in a new transaction (retriable), parks
   * them until the assignment changes (rebalance) or drops them with their partitions (fenced).
   * When the outcome cannot be known (the commit may have happened), reject with an error
   * classified `fatal`: core surfaces it and never re-sends those outputs.
   */
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
   * Required by `failure.then: 'dead-letter'` in `mode: 'transactional'` (instead of
   * `deadLetter`): the dead letter as an output of the failed record, so it is produced in the
   * same transaction that commits past the record — exactly once.
   */
  deadLetterOutput?(record: EngineRecord<N>, error: ProcessingError, attempts: number): OutputRecord
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
  /**
   * Optional: for every partition of the topics this consumer subscribed to (owned here or not),
   * the log end and the group's committed offset as `start` (absent when the coordinator did not
   * answer). Asked once per quarter of `liveness.groupStallMs`, so a partition that no member
   * moves (a stuck member, or one never given to any member) cannot hide.
   */
  queryGroupOffsets?(): Promise<readonly LogOffsets[]>
}

/** A partition's log end and, when known, where this consumer starts reading it. */
export interface LogOffsets extends TopicPartition {
  /** The log end offset (high watermark): the offset the next produced record will get. */
  readonly end: CommitOffset
  /** The group's committed offset, or where `auto.offset.reset` puts a group without one. */
  readonly start?: CommitOffset | undefined
}
