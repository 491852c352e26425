import { clientErrorFromLibrdkafka, type ClientError } from '@offsetkit/commit-core'

/**
 * What `run()` rejects with when node-rdkafka cannot start (connect, metadata): a ClientError by
 * librdkafka code (`-195` broker transport failure → BROKER_UNREACHABLE, …), the config's secrets
 * scrubbed from it.
 */
export function nodeRdkafkaStartError(thrown: unknown, topics: readonly string[], secrets: readonly string[]): ClientError {
  return clientErrorFromLibrdkafka(thrown, { topics, secrets })
}
