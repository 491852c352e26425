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
  'closed': { readonly error: CommitError | undefined }
}

export type CommitEngineEventName = keyof CommitEngineEvents
