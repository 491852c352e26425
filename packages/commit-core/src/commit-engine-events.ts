import type { CommitRequest, EngineRecord } from './client-port.js'
import type { CommitError } from './commit-error.js'
import type { FailureAction } from './failure-policy.js'
import type { CommitOffset } from './offset.js'
import type { ProcessingError } from './processing-error.js'
import type { TopicPartition } from './topic-partition.js'

export interface PartitionEvent extends TopicPartition {
  /** The assignment epoch the event belongs to. */
  readonly epoch: number
}

export type DropReason =
  /** Offset already tracked in this epoch, or below the known position (redelivery). */
  | 'duplicate'
  /** The partition is not assigned (e.g. rdkafka delivers for a just-revoked partition). */
  | 'not-assigned'
  /** The partition is revoking, stopped, or the engine is closing. */
  | 'not-dispatching'

/** An owned partition whose committed offset cannot advance although its records complete. */
export interface StalledPartition extends TopicPartition {
  readonly epoch: number
  /**
   * `commits-failing`: every commit of it failed for the bound; `fenced`: the client keeps
   * refusing it as from an old member and no revoke, loss or rejoin followed; `commit-hung`:
   * one commit has not settled for the bound.
   */
  readonly reason: 'commits-failing' | 'fenced' | 'commit-hung'
  /** How long it has been so. */
  readonly sinceMs: number
  readonly committed: CommitOffset | undefined
  readonly watermark: CommitOffset | undefined
}

/** An owned partition with records to read that delivered nothing for the bound. */
export interface StarvedPartition extends TopicPartition {
  readonly epoch: number
  readonly silentMs: number
  /** Where its next record would start. */
  readonly position: CommitOffset
  /** Its log end, as the client last reported it. */
  readonly endOffset: CommitOffset
}

/** Every event the engine emits, by name. */
export interface CommitEngineEvents<N = unknown> {
  'commit.started': { readonly request: CommitRequest; readonly attempt: number }
  'commit.succeeded': { readonly request: CommitRequest; readonly attempt: number; readonly durationMs: number }
  /** `error.classification` tells the class; `willRetry` is true while core retries or parks. */
  'commit.failed': {
    readonly request: CommitRequest
    readonly error: CommitError
    readonly attempt: number
    readonly willRetry: boolean
  }
  'partition.assigned': PartitionEvent & { readonly position: CommitOffset | undefined }
  /** Dispatch stopped and in-flight work drained (or the drain timed out): the watermark is final. */
  'partition.drained': PartitionEvent & { readonly watermark: CommitOffset | undefined; readonly timedOut: boolean }
  'partition.revoked': PartitionEvent & { readonly committed: CommitOffset | undefined }
  'partition.lost': PartitionEvent
  /** An explicit seek reset the partition; `epoch` is the new one. */
  'partition.reset': PartitionEvent & { readonly offset: CommitOffset }
  'partition.stopped': PartitionEvent & { readonly record: EngineRecord<N>; readonly error: ProcessingError }
  'partitions.paused': { readonly partitions: readonly TopicPartition[] }
  'partitions.resumed': { readonly partitions: readonly TopicPartition[] }
  'record.failed': {
    readonly record: EngineRecord<N>
    readonly error: ProcessingError
    readonly attempt: number
    /**
     * `retry` while retries remain, then the configured `failure.then`; `abandon` when the
     * partition is revoking, closing or stopped: the record stays unfinished and is redelivered.
     */
    readonly action: 'retry' | 'abandon' | FailureAction
  }
  'record.dead-lettered': { readonly record: EngineRecord<N>; readonly error: ProcessingError; readonly attempts: number }
  'record.skipped': { readonly record: EngineRecord<N>; readonly error: ProcessingError; readonly attempts: number }
  'record.dropped': { readonly record: EngineRecord<N>; readonly reason: DropReason }
  'consumer.stopped': { readonly error: ProcessingError }
  /** Commits of these partitions cannot advance (liveness.commitStallMs). Also a warning. */
  'commit.stalled': { readonly partitions: readonly StalledPartition[]; readonly lastError: CommitError | undefined }
  /** Stalled partitions commit again, or are no longer owned. */
  'commit.recovered': { readonly partitions: readonly TopicPartition[] }
  /** These partitions have records to read and delivered none (liveness.starvationMs). Also a warning. */
  'partition.starved': { readonly partitions: readonly StarvedPartition[] }
  /** Starved partitions deliver again, or are no longer owned. */
  'partition.flowing': { readonly partitions: readonly TopicPartition[] }
  /**
   * The client itself failed (e.g. kafkajs crashed its runner). `restarting`: the client
   * reconnects by itself (owned partitions are lost meanwhile); otherwise it is dead and the
   * consumer consumes nothing more until it is recreated.
   */
  'client.failed': { readonly error: unknown; readonly restarting: boolean }
  'closed': { readonly error: CommitError | undefined }
}

export type CommitEngineEventName = keyof CommitEngineEvents
