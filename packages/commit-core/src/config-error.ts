import { OffsetkitError, describeValue } from './offsetkit-error.js'

/**
 * Bad configuration, found before anything runs. Names the option by its path
 * (`commit.every`), the value received and what would have been accepted.
 */
export class ConfigError extends OffsetkitError {
  readonly code = 'INVALID_OPTION' as const
  readonly option: string
  readonly value: unknown
  readonly accepted: string

  constructor(option: string, value: unknown, accepted: string) {
    super(`Invalid option ${option}: got ${describeValue(value)}; expected ${accepted}`)
    this.option = option
    this.value = value
    this.accepted = accepted
  }
}
