import { OffsetkitError } from './offsetkit-error.js'

export type EngineErrorCode =
  /** The partition was revoked and the drain timeout expired (abort reason). */
  | 'PARTITION_REVOKED'
  /** The partition was lost: another member may already own it (abort reason). */
  | 'PARTITION_LOST'
  /** The partition was reset by an explicit seek (abort reason). */
  | 'PARTITION_RESET'
  /** The engine closed (abort reason). */
  | 'ENGINE_CLOSED'

/** Lifecycle conditions; used as the `reason` of the AbortSignal handlers receive. */
export class EngineError extends OffsetkitError {
  readonly code: EngineErrorCode

  constructor(code: EngineErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
