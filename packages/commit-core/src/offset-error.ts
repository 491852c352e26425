import { OffsetkitError, describeValue } from './offsetkit-error.js'
import { redactSecrets } from './redact-secrets.js'

/** An offset that cannot be represented exactly: malformed string, negative, unsafe number, > int64. */
export class OffsetError extends OffsetkitError {
  /** Always `INVALID_OFFSET`. */
  readonly code = 'INVALID_OFFSET' as const
  /** The value that was refused, secrets redacted. */
  readonly value: unknown

  constructor(value: unknown, reason: string) {
    super(`Invalid offset ${describeValue(value)}: ${reason}`)
    this.value = redactSecrets(value)
  }
}
