import {
  checkDeadLetterProducer,
  ConfigError,
  checkDeadLetterTopic,
  createOffsetkitConsumer,
  type DeadLetterTopicOption,
  type OffsetkitConsumer,
  type OffsetkitOptions,
} from '@offsetkit/commit-core'
import { isPlainObject } from '@offsetkit/commit-core/adapter'
import type { Consumer, Kafka, KafkaMessage, Producer, RetryOptions } from 'kafkajs'
import { KafkajsDriver } from './kafkajs-driver.js'
import type { KafkajsTransactionOptions } from './kafkajs-transactions.js'

/** This adapter's own options, next to core's (listed when an option is unknown). */
const ADAPTER_OPTIONS = ['fromBeginning', 'deadLetter', 'transaction', 'kafka'] as const satisfies ReadonlyArray<Exclude<keyof KafkajsOffsetkitOptions, keyof OffsetkitOptions>>

export interface KafkajsOffsetkitOptions extends OffsetkitOptions<KafkaMessage> {
  /** Passed to `consumer.subscribe`: where a group without committed offsets starts. Default false. */
  readonly fromBeginning?: boolean
  /**
   * The kafkajs `Kafka` instance the consumer was made from. With it (or with `transaction.kafka`)
   * the adapter runs the group check (`liveness.groupStallMs`, event `group.partition.stalled`)
   * through one admin client; without it only the partitions this consumer owns are watched.
   */
  readonly kafka?: Kafka
  /**
   * Required by `failure: { then: 'dead-letter' }` in 'at-least-once' mode: a connected kafkajs
   * producer, and where to send. In 'transactional' mode dead letters are produced in the
   * transaction that commits past their record: give only `topic` (or nothing: `<topic>.dlq`).
   */
  readonly deadLetter?: {
    /** A connected kafkajs producer ('at-least-once' mode only). */
    readonly producer?: Producer
    /** The dead-letter topic, or a function of the source topic. Default `<topic>.dlq`. */
    readonly topic?: DeadLetterTopicOption
  }
  /**
   * Required by `mode: 'transactional'` (and only allowed with it): how the port makes one
   * transactional producer per input partition, transactional id `${id}-${topic}-${partition}`.
   */
  readonly transaction?: {
    /** The kafkajs `Kafka` instance the consumer was made from. */
    readonly kafka: Kafka
    /** The same on every member of the group, unique to the group (e.g. the group id). */
    readonly id: string
    /**
     * Passed to `kafka.producer()`. Defaults: retry `{ initialRetryTime: 20, retries: 9 }` (kafkajs'
     * own 300 ms first retry costs each back-to-back transaction ~300 ms: the broker answers
     * CONCURRENT_TRANSACTIONS until the previous one's markers are written), transactionTimeout
     * kafkajs' 60000.
     */
    readonly producer?: {
      /** kafkajs retry options of the producer; the fields given replace the defaults above. */
      readonly retry?: RetryOptions
      /** kafkajs `transactionTimeout` in milliseconds. */
      readonly transactionTimeout?: number
    }
  }
}

/**
 * Wraps a kafkajs consumer (created, not yet running) in offsetkit. Options are checked now,
 * before anything connects.
 */
export function offsetkitKafkajs(consumer: Consumer, options: KafkajsOffsetkitOptions = {}): OffsetkitConsumer<KafkaMessage> {
  if (consumer === null || typeof consumer !== 'object' || typeof consumer.run !== 'function' || typeof consumer.commitOffsets !== 'function') {
    throw new ConfigError('consumer', consumer, 'a kafkajs Consumer (kafka.consumer({ groupId }))', { hideValue: true })
  }
  const { fromBeginning, deadLetter, transaction: transactionOption, kafka, ...core } = options
  if (fromBeginning !== undefined && typeof fromBeginning !== 'boolean') throw new ConfigError('fromBeginning', fromBeginning, 'true or false')
  if (kafka !== undefined) checkKafka('kafka', kafka)
  const transaction = checkTransaction(transactionOption, (core as { mode?: unknown }).mode === 'transactional')
  if (deadLetter !== undefined) {
    if (transaction === undefined) checkDeadLetterProducer(deadLetter?.producer, 'a connected kafkajs Producer')
    else if (deadLetter?.producer !== undefined) {
      throw new ConfigError('deadLetter.producer', deadLetter.producer, "no producer in mode: 'transactional' (dead letters are produced in the commit's transaction)", { hideValue: true })
    }
    checkDeadLetterTopic(deadLetter.topic, 'deadLetter.topic')
  }
  const driver = new KafkajsDriver(consumer, { fromBeginning: fromBeginning ?? false, deadLetter, transaction, kafka })
  return createOffsetkitConsumer(driver, core, ADAPTER_OPTIONS)
}

function checkKafka(field: string, kafka: unknown): void {
  if (typeof kafka !== 'object' || kafka === null || typeof (kafka as Kafka).producer !== 'function' || typeof (kafka as Kafka).admin !== 'function') {
    throw new ConfigError(field, kafka, 'the kafkajs Kafka instance the consumer was made from (new Kafka({ brokers }))', { hideValue: true })
  }
}

const TRANSACTION_ACCEPTED = "{ kafka, id, producer? } (required by mode: 'transactional')"

function checkTransaction(option: unknown, transactional: boolean): KafkajsTransactionOptions | undefined {
  if (!transactional) {
    if (option === undefined) return undefined
    throw new ConfigError('transaction', option, "omitted unless mode: 'transactional'", { hideValue: true })
  }
  if (!isPlainObject(option)) throw new ConfigError('transaction', option, TRANSACTION_ACCEPTED, { hideValue: true })
  for (const key of Object.keys(option)) {
    if (!['kafka', 'id', 'producer'].includes(key)) throw new ConfigError(`transaction.${key}`, option[key], 'one of kafka, id, producer', { hideValue: true })
  }
  const { kafka, id, producer } = option
  checkKafka('transaction.kafka', kafka)
  if (typeof id !== 'string' || id.trim() === '') {
    throw new ConfigError('transaction.id', id, 'a non-empty string, the same on every member of the group')
  }
  if (producer !== undefined) {
    if (!isPlainObject(producer)) throw new ConfigError('transaction.producer', producer, '{ retry?, transactionTimeout? }', { hideValue: true })
    for (const key of Object.keys(producer)) {
      if (key !== 'retry' && key !== 'transactionTimeout') throw new ConfigError(`transaction.producer.${key}`, producer[key], 'one of retry, transactionTimeout', { hideValue: true })
    }
    const timeout = producer.transactionTimeout
    if (timeout !== undefined && (!Number.isInteger(timeout) || (timeout as number) < 1)) {
      throw new ConfigError('transaction.producer.transactionTimeout', timeout, 'a positive integer (milliseconds)')
    }
  }
  return { kafka: kafka as Kafka, id, producer: producer as KafkajsTransactionOptions['producer'] }
}
