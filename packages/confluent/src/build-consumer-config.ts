import { ConfigError, secretValues } from '@offsetkit/commit-core'
import { isPlainObject } from '@offsetkit/commit-core/adapter'
import type { KafkaJS } from '@confluentinc/kafka-javascript'

/** The signature the KafkaJS API awaits for a top-level `rebalance_cb`. */
export type ConfluentRebalanceCallback = (
  error: { readonly code: number },
  assignment: ReadonlyArray<{ readonly topic: string; readonly partition: number }>,
  assignmentFns: { assignmentLost(): boolean },
) => Promise<void>

export interface BuiltConsumerConfig {
  readonly config: KafkaJS.ConsumerConstructorConfig
  /** Messages per eachBatch call; undefined = unlimited. */
  readonly maxBatchSize: number | undefined
}

const own = (object: Record<string, unknown>, key: string): boolean => Object.hasOwn(object, key)

/**
 * Settings that would let the client commit or store offsets behind offsetkit's back, or that the
 * KafkaJS API would silently override. Each is rejected by name before anything connects.
 */
const FORBIDDEN_TOP_LEVEL: ReadonlyArray<readonly [string, string]> = [
  ['rebalance_cb', 'absent: offsetkit installs its own rebalance_cb to commit on revoke (listen to partition.assigned/revoked/lost instead)'],
  ['offset_commit_cb', 'absent: the KafkaJS API overrides it, so it would never be called (listen to commit.succeeded/commit.failed instead)'],
  ['enable.auto.offset.store', 'absent: the KafkaJS API owns the offset store and throws on this key'],
  ['auto.commit.interval.ms', "absent: offsetkit commits itself (use the commit option, e.g. { interval: 5000 })"],
]
const FORBIDDEN_KAFKAJS: ReadonlyArray<readonly [string, string]> = [
  ['autoCommitInterval', "absent: offsetkit commits itself (use the commit option, e.g. { interval: 5000 })"],
  ['autoCommitThreshold', "absent: unsupported by the client (use the commit option, e.g. { every: 100 })"],
]
const AUTO_COMMIT_ACCEPTED =
  "false or absent: offsetkit commits itself; commit: 'auto' is not supported by this adapter (the KafkaJS API stores delivered offsets itself)"

/**
 * Checks the config the user would pass to `kafka.consumer()` and returns the one offsetkit
 * builds from it: client auto-commit off, offsetkit's rebalance_cb, batches unlimited by default.
 */
export function buildConsumerConfig(config: unknown, rebalanceCb: ConfluentRebalanceCallback): BuiltConsumerConfig {
  // Errors name the offending key only: the config holds credentials (sasl.*, kafkaJS.sasl), so it
  // is never rendered whole and its secret values are scrubbed from whatever is.
  if (!isPlainObject(config)) {
    throw new ConfigError('config', config, "the object you would pass to kafka.consumer(), e.g. { kafkaJS: { groupId } }", { hideValue: true })
  }
  const secrets = { secrets: secretValues(config) }
  const kafkaJS = config.kafkaJS
  if (kafkaJS !== undefined && !isPlainObject(kafkaJS)) {
    throw new ConfigError('config.kafkaJS', kafkaJS, 'an object (the KafkaJS-style consumer config)', { ...secrets, hideValue: true })
  }
  const block: Record<string, unknown> = kafkaJS ?? {}

  // Top-level librdkafka keys win over the kafkaJS block inside the client, so the group id may be either.
  const groupId = own(config, 'group.id') ? config['group.id'] : block.groupId
  if (typeof groupId !== 'string' || groupId === '') {
    throw new ConfigError(own(config, 'group.id') ? "config['group.id']" : 'config.kafkaJS.groupId', groupId, 'a non-empty consumer group id', secrets)
  }
  for (const [key, accepted] of FORBIDDEN_TOP_LEVEL) {
    if (own(config, key)) throw new ConfigError(`config['${key}']`, config[key], accepted, secrets)
  }
  for (const [key, accepted] of FORBIDDEN_KAFKAJS) {
    if (own(block, key)) throw new ConfigError(`config.kafkaJS.${key}`, block[key], accepted, secrets)
  }
  if (own(config, 'enable.auto.commit') && config['enable.auto.commit'] !== false) {
    throw new ConfigError("config['enable.auto.commit']", config['enable.auto.commit'], AUTO_COMMIT_ACCEPTED, secrets)
  }
  if (own(block, 'autoCommit') && block.autoCommit !== false) {
    throw new ConfigError('config.kafkaJS.autoCommit', block.autoCommit, AUTO_COMMIT_ACCEPTED, secrets)
  }

  const batchSize = own(config, 'js.consumer.max.batch.size') ? config['js.consumer.max.batch.size'] : -1
  const size = typeof batchSize === 'number' || typeof batchSize === 'string' ? Number(batchSize) : Number.NaN
  if (!Number.isInteger(size) || (size <= 0 && size !== -1)) {
    throw new ConfigError("config['js.consumer.max.batch.size']", batchSize, 'a positive integer, or -1 for unlimited (the default offsetkit uses)', secrets)
  }

  return {
    config: {
      ...config,
      ...(kafkaJS === undefined ? {} : { kafkaJS: { ...kafkaJS, autoCommit: false } }),
      // Also at top level: without a kafkaJS block the client leaves librdkafka's default (true).
      'enable.auto.commit': false,
      // Unlimited batches hand over a partition's whole cached run at once, which is what makes the
      // client's fetch position safe to report after each batch (see fetchPosition in the driver).
      'js.consumer.max.batch.size': size,
      rebalance_cb: rebalanceCb,
    } as unknown as KafkaJS.ConsumerConstructorConfig,
    maxBatchSize: size === -1 ? undefined : size,
  }
}
