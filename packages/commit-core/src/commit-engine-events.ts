import type { CommitRequest, EngineRecord } from './client-port.js'
import type { CommitError } from './commit-error.js'
import type { FailureAction } from './failure-policy.js'
import type { CommitOffset } from './offset.js'
import type { ProcessingError } from './processing-error.js'
import type { TopicPartition } from './topic-partition.js'

/** Payload of the partition lifecycle events: the partition and its assignment epoch. */
export interface PartitionEvent extends TopicPartition {
  /** The assignment epoch the event belongs to. */
  readonly epoch: number
}

/** Why a delivered record was dropped without being handled (the `record.dropped` event). */
export type DropReason =
  /** Offset already tracked in this epoch, or below the known position (redelivery). */
  | 'duplicate'
  /** The partition is not assigned (e.g. rdkafka delivers for a just-revoked partition). */
  | 'not-assigned'
  /** The partition is revoking, stopped, or the engine is closing. */
  | 'not-dispatching'

/** An owned partition whose committed offset cannot advance although its records complete. */
export interface StalledPartition extends TopicPartition {
  /** The assignment epoch it is stalled in. */
  readonly epoch: number
  /**
   * `commits-failing`: every commit of it failed for the bound; `fenced`: the client keeps
   * refusing it as from an old member and no revoke, loss or rejoin followed; `commit-hung`:
   * one commit has not settled for the bound.
   */
  readonly reason: 'commits-failing' | 'fenced' | 'commit-hung'
  /** How long it has been so. */
  readonly sinceMs: number
  /** Its last committed offset the broker acknowledged; undefined when none in this epoch. */
  readonly committed: CommitOffset | undefined
  /** What a commit would carry now (the next offset after its finished prefix). */
  readonly watermark: CommitOffset | undefined
}

/**
 * An owned partition that delivered nothing for the bound although it has records to read
 * (`records-waiting`), or while the client cannot even learn where its log ends
 * (`log-end-unknown`: the question to the broker failed — a client cut off from the cluster).
 */
export interface StarvedPartition extends TopicPartition {
  /** The assignment epoch it is starved in. */
  readonly epoch: number
  /** Milliseconds since it last delivered a record (or since its assignment). */
  readonly silentMs: number
  /** Where its next record would start; undefined when not known (`log-end-unknown`). */
  readonly position: CommitOffset | undefined
  /** Its log end, as the client last reported it; undefined with `log-end-unknown`. */
  readonly endOffset: CommitOffset | undefined
  /** Why it counts as starved. */
  readonly reason: 'records-waiting' | 'log-end-unknown'
}

/**
 * A partition of the subscribed topics that this consumer does not own, whose group committed
 * offset is behind its log end and has not moved for `liveness.groupStallMs`.
 */
export interface GroupStalledPartition extends TopicPartition {
  /** The group's committed offset (where a group without one starts, by `auto.offset.reset`). */
  readonly committed: CommitOffset
  /** Its log end when last asked. */
  readonly endOffset: CommitOffset
  /** How long the committed offset has not moved while behind, as far as this consumer saw. */
  readonly sinceMs: number
}

/** Every event the engine emits, by name. */
export interface CommitEngineEvents<N = unknown> {
  /** A commit was handed to the client. */
  'commit.started': {
    /** What is being committed. */
    readonly request: CommitRequest
    /** 1 for the first try, then one more per retriable failure. */
    readonly attempt: number
  }
  /** The client confirmed a commit (for an async commit: accepted it). */
  'commit.succeeded': {
    /** What was committed. */
    readonly request: CommitRequest
    /** Which try succeeded (1-based). */
    readonly attempt: number
    /** Milliseconds from handing the commit to the client to its confirmation. */
    readonly durationMs: number
  }
  /** `error.classification` tells the class; `willRetry` is true while core retries or parks. */
  'commit.failed': {
    /** The commit that failed. */
    readonly request: CommitRequest
    /** Why, with `code` (`RETRIABLE`, `RETRIES_EXHAUSTED`, `FENCED`, `FATAL`, ...) and the client's error as `cause`. */
    readonly error: CommitError
    /** Which try failed (1-based). */
    readonly attempt: number
    /** true: core retries after a backoff or parks it until the next assignment change. */
    readonly willRetry: boolean
  }
  /** The partition was assigned to this consumer and starts a new epoch. */
  'partition.assigned': PartitionEvent & {
    /** Where reading starts (committed offset or reset position), when the client knows it. */
    readonly position: CommitOffset | undefined
  }
  /** Dispatch stopped and in-flight work drained (or the drain timed out): the watermark is final. */
  'partition.drained': PartitionEvent & {
    /** The final commit offset of the epoch; undefined when nothing was finished. */
    readonly watermark: CommitOffset | undefined
    /** true: unfinished records were abandoned (they are redelivered to the next owner). */
    readonly timedOut: boolean
  }
  /** The partition was revoked: its work drained and its final commit was attempted. */
  'partition.revoked': PartitionEvent & {
    /** The last offset the broker acknowledged for it; undefined when none in this epoch. */
    readonly committed: CommitOffset | undefined
  }
  /** The partition was lost (not revoked): its offsets are not committed, another member may own it already. */
  'partition.lost': PartitionEvent
  /** An explicit seek reset the partition; `epoch` is the new one. */
  'partition.reset': PartitionEvent & {
    /** The offset reading restarts from. */
    readonly offset: CommitOffset
  }
  /** `failure.then: 'stop'`: the partition stopped at a record that exhausted its retries. */
  'partition.stopped': PartitionEvent & {
    /** The record it stopped at; nothing at or after it is committed. */
    readonly record: EngineRecord<N>
    /** The handler's failure. */
    readonly error: ProcessingError
  }
  /** Core paused fetching these partitions (an in-flight bound was hit, or a partition stopped). */
  'partitions.paused': {
    /** The partitions paused. */
    readonly partitions: readonly TopicPartition[]
  }
  /** Core resumed fetching these partitions. */
  'partitions.resumed': {
    /** The partitions resumed. */
    readonly partitions: readonly TopicPartition[]
  }
  /** A handler call for a record threw or rejected. */
  'record.failed': {
    /** The record that failed. */
    readonly record: EngineRecord<N>
    /** The failure, with the handler's error as `cause`. */
    readonly error: ProcessingError
    /** Which try failed (1-based). */
    readonly attempt: number
    /**
     * `retry` while retries remain, then the configured `failure.then`; `abandon` when the
     * partition is revoking, closing or stopped: the record stays unfinished and is redelivered.
     */
    readonly action: 'retry' | 'abandon' | FailureAction
  }
  /** `failure.then: 'dead-letter'`: the record was produced to the dead-letter topic and counts as done. */
  'record.dead-lettered': {
    /** The record dead-lettered. */
    readonly record: EngineRecord<N>
    /** Its last handler failure. */
    readonly error: ProcessingError
    /** Handler calls made for it. */
    readonly attempts: number
  }
  /** `failure.then: 'skip'`: the record exhausted its retries and counts as done (its offset may be committed). */
  'record.skipped': {
    /** The record skipped. */
    readonly record: EngineRecord<N>
    /** Its last handler failure. */
    readonly error: ProcessingError
    /** Handler calls made for it. */
    readonly attempts: number
  }
  /** A delivered record was ignored, never handed to the handler. */
  'record.dropped': {
    /** The record dropped. */
    readonly record: EngineRecord<N>
    /** Why it was dropped. */
    readonly reason: DropReason
  }
  /** `failure.then: 'stop-consumer'`: a record exhausted its retries and the consumer stopped. */
  'consumer.stopped': {
    /** The failure that stopped it. */
    readonly error: ProcessingError
  }
  /** Commits of these partitions cannot advance (liveness.commitStallMs). Also a warning. */
  'commit.stalled': {
    /** The partitions newly stalled. */
    readonly partitions: readonly StalledPartition[]
    /** The last commit failure seen, if any. */
    readonly lastError: CommitError | undefined
  }
  /** Stalled partitions commit again, or are no longer owned. */
  'commit.recovered': {
    /** The partitions no longer stalled. */
    readonly partitions: readonly TopicPartition[]
  }
  /** These partitions have records to read and delivered none (liveness.starvationMs). Also a warning. */
  'partition.starved': {
    /** The partitions newly starved. */
    readonly partitions: readonly StarvedPartition[]
  }
  /** Starved partitions deliver again, or are no longer owned. */
  'partition.flowing': {
    /** The partitions no longer starved. */
    readonly partitions: readonly TopicPartition[]
  }
  /**
   * Partitions of the group that this consumer does not own have records to read and their
   * committed offset has not moved for `liveness.groupStallMs`: the member that owns them is
   * stuck, or no member was given them (e.g. a client lost an assignment). Also a warning.
   */
  'group.partition.stalled': {
    /** The partitions newly stalled. */
    readonly partitions: readonly GroupStalledPartition[]
  }
  /** Group-stalled partitions move again, have no lag any more, or are now owned by this consumer. */
  'group.partition.flowing': {
    /** The partitions no longer stalled. */
    readonly partitions: readonly TopicPartition[]
  }
  /**
   * Nothing came from the group coordinator for `liveness.membershipProbeMs`: queued records wait
   * while a probe commit asks whether this member still owns its partitions.
   */
  'membership.probing': {
    /** Since the last commit answer, assignment or revocation. */
    readonly silentMs: number
  }
  /**
   * The probe's answer: `confirmed` (records are dispatched again), or `fenced` (the member was
   * removed from the group: nothing more is dispatched until the client reports the rebalance).
   */
  'membership.probed': {
    /** `confirmed`: the commit was accepted; `fenced`: this member is no longer in the group. */
    readonly outcome: 'confirmed' | 'fenced'
    /** How long records waited for the answer. */
    readonly waitedMs: number
  }
  /**
   * The client itself failed (e.g. kafkajs crashed its runner). `restarting`: the client
   * reconnects by itself (owned partitions are lost meanwhile); otherwise it is dead and the
   * consumer consumes nothing more until it is recreated.
   */
  'client.failed': {
    /** The client's error, as it reported it. */
    readonly error: unknown
    /** true: the client reconnects by itself. */
    readonly restarting: boolean
  }
  /** The engine closed: in-flight work drained (or timed out) and the final commit was sent. */
  'closed': {
    /** Why the final commit failed; undefined when it succeeded or there was none. */
    readonly error: CommitError | undefined
  }
}

/** The name of an engine event: a key of {@link CommitEngineEvents}. */
export type CommitEngineEventName = keyof CommitEngineEvents
