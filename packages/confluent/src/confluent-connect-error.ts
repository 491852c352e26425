import { clientConfigProperty, configErrorFromClient, redactSecrets, secretValues } from '@offsetkit/commit-core'

/**
 * What `run()` rejects with when the client fails to connect. The KafkaJS API checks its config
 * only on `connect()`, and its messages can echo a value (`Invalid value "…" for configuration
 * property …`, `Unsupported SASL mechanism: …`): a rejected setting becomes a ConfigError naming
 * it, anything else the client's own error with the config's secrets scrubbed out.
 */
export function confluentConnectError(thrown: unknown, config: unknown): unknown {
  const block = typeof config === 'object' && config !== null ? (config as { kafkaJS?: unknown }).kafkaJS : undefined
  const sources = [{ option: 'config', config }, ...(block === undefined ? [] : [{ option: 'config.kafkaJS', config: block }])]
  if (clientConfigProperty(thrown) !== undefined) return configErrorFromClient(thrown, sources, 'a config the client accepts')
  return redactSecrets(thrown, { secrets: secretValues(config) })
}
