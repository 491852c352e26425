import {
  checkDeadLetterProducer,
  ConfigError,
  checkDeadLetterTopic,
  configErrorFromClient,
  createOffsetkitConsumer,
  resolveCommitPolicy,
  type CommitPolicyOption,
  type DeadLetterTopicOption,
  type OffsetkitConsumer,
  type OffsetkitOptions,
} from '@offsetkit/commit-core'
import type { ConsumerGlobalConfig, ConsumerTopicConfig, Message, Producer, ProducerGlobalConfig } from 'node-rdkafka'
import { NodeRdkafkaDriver } from './node-rdkafka-driver.js'
import { resolveNodeRdkafkaConfig } from './resolve-node-rdkafka-config.js'
import { resolveTransactionOption } from './resolve-transaction-option.js'

/** This adapter's own options, next to core's (listed when an option is unknown). */
const ADAPTER_OPTIONS = ['deadLetter', 'transaction', 'batchSize', 'consumeTimeoutMs', 'connectTimeoutMs'] as const satisfies ReadonlyArray<Exclude<keyof NodeRdkafkaOffsetkitOptions, keyof OffsetkitOptions>>

/** What the adapter builds the KafkaConsumer from (it must own some construction-time settings). */
export interface NodeRdkafkaClientConfig {
  /** librdkafka global config: at least `metadata.broker.list` and `group.id`. */
  readonly config: ConsumerGlobalConfig
  /** librdkafka default topic config, e.g. `{ 'auto.offset.reset': 'earliest' }`. */
  readonly topicConfig?: ConsumerTopicConfig
}

export interface NodeRdkafkaOffsetkitOptions extends OffsetkitOptions<Message> {
  /**
   * Where `failure: { then: 'dead-letter' }` sends (default `<topic>.dlq`) and, in at-least-once
   * mode, through which producer: a CONNECTED node-rdkafka Producer created with `dr_cb: true`
   * (a dead letter counts as done only on its delivery report). In `mode: 'transactional'` give no
   * producer: the dead letter goes into the transaction that commits past the failed record.
   */
  readonly deadLetter?: {
    /** At-least-once mode: a connected Producer created with `dr_cb: true`. Omit in `mode: 'transactional'`. */
    readonly producer?: Producer
    /** The dead-letter topic, or a function of the source topic. Default `<topic>.dlq`. */
    readonly topic?: DeadLetterTopicOption
  }
  /**
   * Required by `mode: 'transactional'` (and only allowed with it): the config of the
   * transactional producer offsetkit creates, `transactional.id` included (unique per consumer
   * instance; with KIP-447 it need not follow the partitions). Each commit is then one transaction
   * holding the handlers' `context.send` outputs and the offsets.
   */
  readonly transaction?: {
    /** The transactional producer's config, `transactional.id` included. */
    readonly producerConfig: ProducerGlobalConfig
  }
  /**
   * Most records one `consume(n)` call asks for. Default 500. The size actually asked for follows
   * the traffic (a full batch should take about 50 ms), because node-rdkafka's consume(n) returns
   * only when n records came or none came for `consumeTimeoutMs`: a fixed large n under steady,
   * moderate traffic would hold the first record of a batch until the last one arrived.
   */
  readonly batchSize?: number
  /**
   * How long one `consume(n)` call waits for a further record before returning what it has
   * (node-rdkafka's consume timeout). Bounds the latency of a partly filled batch. Default 100.
   */
  readonly consumeTimeoutMs?: number
  /**
   * How long `run()` waits for the first broker answer (connect's metadata request) before it
   * rejects with ClientError BROKER_UNREACHABLE. Default 30000 (node-rdkafka's own).
   */
  readonly connectTimeoutMs?: number
}

function checkInteger(option: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(option, value, `an integer from ${min} to ${max}`)
  }
  return value
}

function checkProducer(producer: unknown): Producer {
  const accepted = 'a connected node-rdkafka Producer created with dr_cb: true'
  checkDeadLetterProducer(producer, accepted, ['produce', 'poll', 'on'])
  const p = producer as Producer & { _cb_configs?: { event?: { delivery_cb?: unknown } } }
  // node-rdkafka keeps no public trace of dr_cb; without it no delivery report would ever come
  // and every dead letter would hang, so check the callback it installs for dr_cb/dr_msg_cb.
  if (p._cb_configs !== undefined && typeof p._cb_configs.event?.delivery_cb !== 'function') {
    throw new ConfigError('deadLetter.producer', '[Producer without dr_cb]', accepted)
  }
  return p
}

/**
 * Builds a node-rdkafka KafkaConsumer from `client` and wraps it in offsetkit. Everything is
 * checked now, before anything connects: offsetkit options, the librdkafka config (settings that
 * would break offsetkit's guarantees are rejected by name) and the dead-letter producer.
 */
export function offsetkitNodeRdkafka(client: NodeRdkafkaClientConfig, options: NodeRdkafkaOffsetkitOptions = {}): OffsetkitConsumer<Message> {
  if (typeof client !== 'object' || client === null) {
    throw new ConfigError('client', client, '{ config, topicConfig? } (librdkafka global and topic config)')
  }
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', options, 'an options object')
  const { deadLetter, transaction, batchSize, consumeTimeoutMs, connectTimeoutMs, ...core } = options
  const autoCommit = resolveCommitPolicy(core.commit as CommitPolicyOption | undefined).kind === 'auto'
  const { global, topic } = resolveNodeRdkafkaConfig(client.config, client.topicConfig, autoCommit)
  const producerConfig = resolveTransactionOption(transaction, core.mode, global)
  let dead: { producer: Producer | undefined; topic: DeadLetterTopicOption | undefined } | undefined
  if (deadLetter !== undefined) {
    if (typeof deadLetter !== 'object' || deadLetter === null) throw new ConfigError('deadLetter', deadLetter, '{ producer, topic? }')
    if (producerConfig !== undefined && deadLetter.producer !== undefined) {
      throw new ConfigError('deadLetter.producer', deadLetter.producer,
        "nothing in mode 'transactional': the dead letter goes into the transaction that commits past the record (give only deadLetter.topic)", { hideValue: true })
    }
    dead = {
      producer: producerConfig === undefined ? checkProducer(deadLetter.producer) : undefined,
      topic: checkDeadLetterTopic(deadLetter.topic, 'deadLetter.topic'),
    }
  }
  const resolved = {
    batchSize: checkInteger('batchSize', batchSize, 1, 100_000, 500),
    consumeTimeoutMs: checkInteger('consumeTimeoutMs', consumeTimeoutMs, 1, 60_000, 100),
    connectTimeoutMs: checkInteger('connectTimeoutMs', connectTimeoutMs, 1, 600_000, 30_000),
    // Set on purpose: subscribe to topics that do not exist yet and let librdkafka create them.
    autoCreateTopics: global['allow.auto.create.topics'] === true || global['allow.auto.create.topics'] === 'true',
  }
  let driver: NodeRdkafkaDriver
  try {
    driver = new NodeRdkafkaDriver({ global, topic, ...resolved, autoCommit, deadLetter: dead, producerConfig, logger: core.logger })
  } catch (error) {
    // librdkafka rejects unknown properties and bad values when the client is created; its message
    // names the property (and may echo the value), the config itself holds credentials.
    throw configErrorFromClient(error, [
      { option: 'config', config: global },
      { option: 'topicConfig', config: topic },
      ...(producerConfig === undefined ? [] : [{ option: 'transaction.producerConfig', config: producerConfig }]),
    ], 'a config librdkafka accepts')
  }
  return createOffsetkitConsumer(driver, core, ADAPTER_OPTIONS)
}
