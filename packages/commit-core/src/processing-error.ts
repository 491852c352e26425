import { OffsetkitError } from './offsetkit-error.js'
import type { RecordOffset } from './offset.js'

/** The `code` of a {@link ProcessingError}. */
export type ProcessingErrorCode =
  /** The handler threw or rejected (the user's error is `cause`). */
  | 'HANDLER_FAILED'
  /** Producing the record to the dead-letter port failed; the partition is stopped. */
  | 'DEAD_LETTER_FAILED'

/** A record could not be processed. Its partition's watermark stays pinned before it. */
export class ProcessingError extends OffsetkitError {
  /** What failed: the handler, or producing the dead letter. */
  readonly code: ProcessingErrorCode
  /** Topic of the record. */
  readonly topic: string
  /** Partition of the record. */
  readonly partition: number
  /** The record's own offset (not a commit offset). */
  readonly offset: RecordOffset
  /** Handler calls made for the record so far. */
  readonly attempts: number

  constructor(
    code: ProcessingErrorCode,
    record: { readonly topic: string; readonly partition: number; readonly offset: RecordOffset },
    attempts: number,
    cause: unknown,
  ) {
    const what = code === 'HANDLER_FAILED' ? 'handler failed' : 'dead-letter produce failed'
    super(`${what} for ${record.topic}[${record.partition}]@${record.offset} after ${attempts} attempt(s)`, { cause })
    this.code = code
    this.topic = record.topic
    this.partition = record.partition
    this.offset = record.offset
    this.attempts = attempts
  }
}
