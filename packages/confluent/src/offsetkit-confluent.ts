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
import { checkTransactionOptions, type ConfluentTransactionOption } from './check-transaction-options.js'
import { ConfluentDriver, type ConfluentDeadLetter } from './confluent-driver.js'

/** This adapter's own options, next to core's (listed when an option is unknown). */
const ADAPTER_OPTIONS = ['deadLetter', 'transaction'] as const satisfies ReadonlyArray<Exclude<keyof ConfluentOffsetkitOptions, keyof OffsetkitOptions>>

type Message = KafkaJS.KafkaMessage

export interface ConfluentOffsetkitOptions extends OffsetkitOptions<Message> {
  /**
   * Where `failure: { then: 'dead-letter' }` sends: a connected KafkaJS-API producer (required,
   * except in mode 'transactional', where it must be absent) and the topic (default `<topic>.dlq`).
   */
  readonly deadLetter?: ConfluentDeadLetter
  /**
   * Required by `mode: 'transactional'` (and only allowed with it): the transactional producer
   * offsetkit creates for this consumer, which produces the handlers' outputs and commits the
   * offsets in one transaction.
   */
  readonly transaction?: ConfluentTransactionOption
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
  const { deadLetter, transaction, ...core } = options
  const transactional = core.mode === 'transactional'
  if (deadLetter !== undefined) {
    // In transactional mode the transaction's producer sends dead letters (checked below).
    if (!transactional) checkDeadLetterProducer(deadLetter?.producer, 'a connected KafkaJS-API Producer (kafka.producer())')
    checkDeadLetterTopic(deadLetter?.topic, 'deadLetter.topic')
  }
  const driver = new ConfluentDriver(kafka, config, { deadLetter, transaction: transactional ? transaction : undefined, transactions: transaction !== undefined })
  checkLibrdkafkaConfig(config)
  const check = (): unknown => checkTransactionOptions({ mode: core.mode, transaction, config, deadLetterProducer: deadLetter?.producer })
  let consumer: OffsetkitConsumer<Message>
  try {
    consumer = createOffsetkitConsumer(driver, core, ADAPTER_OPTIONS)
  } catch (error) {
    // A misspelt option is named first (with its did-you-mean), then the transaction checks, which
    // say more than core can about a transactional mode this adapter cannot run.
    if (!(error instanceof ConfigError && error.option.startsWith('options.'))) check()
    throw error
  }
  check()
  return consumer
}
