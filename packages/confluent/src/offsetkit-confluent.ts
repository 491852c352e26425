import {
  checkDeadLetterProducer,
  ConfigError,
  checkDeadLetterTopic,
  createOffsetkitConsumer,
  type OffsetkitConsumer,
  type OffsetkitOptions,
} from '@offsetkit/commit-core'
import type { KafkaJS } from '@confluentinc/kafka-javascript'
import { checkLibrdkafkaConfig } from './check-librdkafka-config.js'
import { ConfluentDriver, type ConfluentDeadLetter } from './confluent-driver.js'

/** This adapter's own options, next to core's (listed when an option is unknown). */
const ADAPTER_OPTIONS = ['deadLetter'] as const satisfies ReadonlyArray<Exclude<keyof ConfluentOffsetkitOptions, keyof OffsetkitOptions>>

type Message = KafkaJS.KafkaMessage

export interface ConfluentOffsetkitOptions extends OffsetkitOptions<Message> {
  /** Required by `failure: { then: 'dead-letter' }`: a connected KafkaJS-API producer, and where to send. */
  readonly deadLetter?: ConfluentDeadLetter
}

/**
 * Builds a confluent KafkaJS-API consumer from `config` (what you would pass to
 * `kafka.consumer()`) and wraps it in offsetkit. The client reads its rebalance callback and
 * auto-commit only at construction, so offsetkit builds the consumer itself. Everything is
 * checked now, before anything connects.
 */
export function offsetkitConfluent(
  kafka: KafkaJS.Kafka,
  config: KafkaJS.ConsumerConstructorConfig,
  options: ConfluentOffsetkitOptions = {},
): OffsetkitConsumer<Message> {
  if (kafka === null || typeof kafka !== 'object' || typeof (kafka as { consumer?: unknown }).consumer !== 'function') {
    throw new ConfigError('kafka', kafka, "a KafkaJS.Kafka instance (new KafkaJS.Kafka({ kafkaJS: { brokers } }))")
  }
  const { deadLetter, ...core } = options
  if (deadLetter !== undefined) {
    checkDeadLetterProducer(deadLetter?.producer, 'a connected KafkaJS-API Producer (kafka.producer())')
    checkDeadLetterTopic(deadLetter.topic, 'deadLetter.topic')
  }
  const driver = new ConfluentDriver(kafka, config, deadLetter)
  checkLibrdkafkaConfig(config)
  return createOffsetkitConsumer(driver, core, ADAPTER_OPTIONS)
}
