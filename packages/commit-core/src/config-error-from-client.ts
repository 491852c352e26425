import { ConfigError } from './config-error.js'
import { isPlainObject } from './option-checks.js'
import { secretValues } from './redact-secrets.js'

/** A config the client was given, and the option path offsetkit names it by (`config`, `config.kafkaJS`). */
export interface ClientConfigSource {
  /** The option path the config is named by in errors, e.g. `config` or `config.kafkaJS`. */
  readonly option: string
  /** The config object as the user gave it. */
  readonly config: unknown
}

/**
 * How the clients name the setting they reject. librdkafka (node-rdkafka and confluent):
 * `No such configuration property: "x"`, `Invalid value "v" for configuration property "x"`,
 * `Configuration property "x" not supported in this build…`, `Expected bool value for "x"…`;
 * confluent's KafkaJS layer: `The 'x' property is not supported.`
 */
const PROPERTY_PATTERNS = [
  /configuration property:?\s*"([^"]+)"/i,
  /Expected \w+ value for "([^"]+)"/i,
  /The '([^']+)' property is not supported/i,
]

/** The setting a client's construction-time error complains about, if the message names one. */
export function clientConfigProperty(thrown: unknown): string | undefined {
  const message = thrown instanceof Error ? thrown.message : typeof thrown === 'string' ? thrown : ''
  for (const pattern of PROPERTY_PATTERNS) {
    const property = pattern.exec(message)?.[1]
    if (property !== undefined) return property
  }
  return undefined
}

/**
 * The ConfigError for a config the client itself rejected. It names the offending setting and its
 * value when the setting is one the user wrote (never a secret-looking one, never the whole config),
 * and keeps the client's error as `cause` with every secret of the config scrubbed from its
 * message and stack: librdkafka echoes values (`Invalid value "…" for configuration property …`).
 */
export function configErrorFromClient(thrown: unknown, sources: readonly ClientConfigSource[], accepted: string): ConfigError {
  const secrets = sources.flatMap((source) => secretValues(source.config))
  const property = clientConfigProperty(thrown)
  const reason = thrown instanceof Error ? thrown.message : String(thrown)
  const found = property === undefined
    ? undefined
    : sources.find((source) => isPlainObject(source.config) && Object.hasOwn(source.config, property))
  const explained = `${accepted} (the client said: ${reason})`
  if (found === undefined || property === undefined) {
    const root = sources[0]
    return new ConfigError(root?.option ?? 'config', root?.config, explained, { cause: thrown, hideValue: true, secrets })
  }
  const value = (found.config as Record<string, unknown>)[property]
  return new ConfigError(`${found.option}[${JSON.stringify(property)}]`, value, explained, { cause: thrown, secrets })
}
