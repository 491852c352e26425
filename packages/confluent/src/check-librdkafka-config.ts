import { RdKafka } from '@confluentinc/kafka-javascript'
import { configErrorFromClient } from '@offsetkit/commit-core'

/**
 * The KafkaJS API hands its config to librdkafka only in `connect()`, so a misspelt librdkafka
 * property would surface at run(). Creating the client's rdkafka-API consumer from the librdkafka
 * part of the config checks every name and value there and then, without connecting (the native
 * handle is made on connect). Left out: the `kafkaJS` block and `js.*` keys (the KafkaJS layer's
 * own) and callbacks.
 */
export function checkLibrdkafkaConfig(config: unknown): void {
  if (typeof config !== 'object' || config === null) return
  const librdkafka = librdkafkaPart(config)
  try {
    // group.id may live in the kafkaJS block; librdkafka only needs one to build a consumer.
    new RdKafka.KafkaConsumer({ 'group.id': 'offsetkit-config-check', ...librdkafka } as never, {})
  } catch (error) {
    throw configErrorFromClient(error, [{ option: 'config', config }], 'a config librdkafka accepts')
  }
}

/** The same check for the transactional producer's config (`transaction.producerConfig`). */
export function checkLibrdkafkaProducerConfig(config: unknown, option: string): void {
  if (typeof config !== 'object' || config === null) return
  try {
    new RdKafka.Producer(librdkafkaPart(config) as never, {})
  } catch (error) {
    throw configErrorFromClient(error, [{ option, config }], 'a config librdkafka accepts')
  }
}

function librdkafkaPart(config: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([key, value]) =>
    key !== 'kafkaJS' && !key.startsWith('js.') && typeof value !== 'function'))
}
