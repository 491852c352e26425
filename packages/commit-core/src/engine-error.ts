import { OffsetkitError } from './offsetkit-error.js'

/** The `code` of an {@link EngineError}: why a handler's signal was aborted. */
export type EngineErrorCode =
  /** The partition was revoked and the drain timeout expired (abort reason). */
  | 'PARTITION_REVOKED'
  /** The partition was lost: another member may already own it (abort reason). */
  | 'PARTITION_LOST'
  /** The partition was reset by an explicit seek (abort reason). */
  | 'PARTITION_RESET'
  /** The engine closed (abort reason). */
  | 'ENGINE_CLOSED'
  /** `context.send` after its attempt failed, after the record was done, or after its partition was released. */
  | 'SEND_AFTER_DONE'

/** Lifecycle conditions; used as the `reason` of the AbortSignal handlers receive, and thrown by a late `context.send`. */
export class EngineError extends OffsetkitError {
  /** Which lifecycle condition aborted the handler. */
  readonly code: EngineErrorCode

  constructor(code: EngineErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
