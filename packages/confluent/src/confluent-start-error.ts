import {
  clientConfigProperty,
  clientErrorFromLibrdkafka,
  configErrorFromClient,
  isOffsetkitError,
  secretValues,
  type OffsetkitError,
} from '@offsetkit/commit-core'

/**
 * What `run()` rejects with when the client cannot start (connect, the topic check). The KafkaJS
 * API checks its own `kafkaJS` block only on `connect()`, and its messages can echo values
 * (`Invalid value "…" for configuration property …`, `Unsupported SASL mechanism: …`): a rejected
 * setting becomes a ConfigError naming it, anything else a ClientError by librdkafka code, the
 * config's secrets scrubbed out of both.
 */
export function confluentStartError(thrown: unknown, config: unknown, topics: readonly string[] = [], option = 'config'): OffsetkitError {
  if (isOffsetkitError(thrown)) return thrown
  const block = typeof config === 'object' && config !== null ? (config as { kafkaJS?: unknown }).kafkaJS : undefined
  const sources = [{ option, config }, ...(block === undefined ? [] : [{ option: `${option}.kafkaJS`, config: block }])]
  if (clientConfigProperty(thrown) !== undefined) return configErrorFromClient(thrown, sources, 'a config the client accepts')
  return clientErrorFromLibrdkafka(thrown, { topics, secrets: secretValues(config) })
}
