import { OffsetkitError, describeKind, describeValue } from './offsetkit-error.js'
import { REDACTED, isSecretKey, redactSecrets, redactText } from './redact-secrets.js'

/** Extra inputs of a {@link ConfigError}. */
export interface ConfigErrorOptions {
  /** The client's own error, when the client rejected the setting; kept with secrets redacted. */
  readonly cause?: unknown
  /** Say only what kind of value was received (a whole client config is never printed). */
  readonly hideValue?: boolean
  /** Secret strings known from the config (`secretValues(config)`), scrubbed from `accepted` and `cause`. */
  readonly secrets?: readonly string[]
}

/**
 * Bad configuration, found before anything runs. Names the option by its path
 * (`commit.every`), the value received and what would have been accepted. Secrets never show:
 * the value is redacted, and when the option itself looks secret (`config["sasl.password"]`) only
 * its kind is given and `value` holds `REDACTED`.
 */
export class ConfigError extends OffsetkitError {
  /** Always `INVALID_OPTION`. */
  readonly code = 'INVALID_OPTION' as const
  /** The option's path, e.g. `commit.every` or `config["sasl.password"]`. */
  readonly option: string
  /** The value received, secrets redacted (`REDACTED` for a secret-looking option). */
  readonly value: unknown
  /** What would have been accepted, in words. */
  readonly accepted: string

  constructor(option: string, value: unknown, accepted: string, options: ConfigErrorOptions = {}) {
    const secret = isSecretKey(option)
    const known = options.secrets === undefined ? {} : { secrets: options.secrets }
    const safeValue = secret && value !== undefined ? REDACTED : redactSecrets(value, known)
    const hide = (secret || options.hideValue === true) && value !== undefined && value !== null
    const got = hide ? `${describeKind(value)} (${secret ? 'a secret-looking option: value not shown' : 'not shown'})` : describeValue(safeValue)
    const safeAccepted = redactText(accepted, options.secrets)
    super(`Invalid option ${option}: got ${got}; expected ${safeAccepted}`, 'cause' in options ? { cause: redactSecrets(options.cause, known) } : {})
    this.option = option
    this.value = safeValue
    this.accepted = safeAccepted
  }
}
