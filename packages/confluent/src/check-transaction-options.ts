import { ConfigError, secretValues } from '@offsetkit/commit-core'
import { isPlainObject } from '@offsetkit/commit-core/adapter'
import type { KafkaJS } from '@confluentinc/kafka-javascript'
import { checkLibrdkafkaProducerConfig } from './check-librdkafka-config.js'

/** `mode: 'transactional'`: the consumer's own transactional producer. */
export interface ConfluentTransactionOption {
  /**
   * The producer's `transactional.id`. Unique per consumer instance: two live producers with one
   * id fence each other. Keep it stable across restarts of an instance, so a restart aborts what
   * the previous run left open at once (not after `transaction.timeout.ms`). With KIP-447 it need
   * not follow partitions.
   */
  readonly id: string
  /**
   * Anything else you would pass to `kafka.producer()` (e.g. `{ 'linger.ms': 5 }`). offsetkit sets
   * `transactional.id` and idempotence itself.
   */
  readonly producerConfig?: KafkaJS.ProducerConstructorConfig
}

const TRANSACTION_KEYS = ['id', 'producerConfig']
const WANTED = "{ id: 'a transactional.id unique to this consumer instance', producerConfig? }"

interface TransactionInputs {
  readonly mode: unknown
  readonly transaction: unknown
  /** The consumer config (what you would pass to kafka.consumer()). */
  readonly config: unknown
  readonly deadLetterProducer: unknown
}

/**
 * Checks `transaction` against `mode` and what transactional mode needs of the rest, before
 * anything connects. Returns the transaction option in transactional mode, undefined otherwise.
 */
export function checkTransactionOptions({ mode, transaction, config, deadLetterProducer }: TransactionInputs): ConfluentTransactionOption | undefined {
  if (mode !== 'transactional') {
    // Another mode value is core's to name (`mode`); `transaction` without the mode is ours.
    if (transaction !== undefined && (mode === undefined || mode === 'at-least-once')) {
      throw new ConfigError('transaction', transaction, "absent: it is only used with mode: 'transactional'", { hideValue: true })
    }
    return undefined
  }
  if (!isPlainObject(transaction)) throw new ConfigError('transaction', transaction, `${WANTED} (mode: 'transactional' produces through it)`, { hideValue: true })
  for (const key of Object.keys(transaction)) {
    if (!TRANSACTION_KEYS.includes(key)) {
      throw new ConfigError(`transaction.${key}`, transaction[key], `no such option; known options of transaction are ${TRANSACTION_KEYS.join(', ')}`, { hideValue: true })
    }
  }
  const id = transaction.id
  if (typeof id !== 'string' || id.trim() === '') throw new ConfigError('transaction.id', id, 'a non-empty transactional.id, unique to this consumer instance')
  checkProducerConfig(transaction.producerConfig)
  checkReadCommitted(config)
  if (deadLetterProducer !== undefined) {
    throw new ConfigError('deadLetter.producer', deadLetterProducer,
      "absent in mode 'transactional': dead letters go out through the consumer's transactional producer, in the transaction that commits past the record (give only deadLetter.topic)",
      { hideValue: true })
  }
  return transaction as unknown as ConfluentTransactionOption
}

function checkProducerConfig(config: unknown): void {
  const option = 'transaction.producerConfig'
  if (config === undefined) return
  if (!isPlainObject(config)) throw new ConfigError(option, config, 'the object you would pass to kafka.producer()', { hideValue: true })
  const secrets = { secrets: secretValues(config) }
  const block = config.kafkaJS
  if (block !== undefined && !isPlainObject(block)) throw new ConfigError(`${option}.kafkaJS`, block, 'an object (the KafkaJS-style producer config)', { ...secrets, hideValue: true })
  const fromId = 'absent: offsetkit sets it from transaction.id'
  const idempotent = 'absent or true: transactions need the idempotent producer'
  if (Object.hasOwn(config, 'transactional.id')) throw new ConfigError(`${option}['transactional.id']`, config['transactional.id'], fromId, secrets)
  if (block?.transactionalId !== undefined) throw new ConfigError(`${option}.kafkaJS.transactionalId`, block.transactionalId, fromId, secrets)
  const enable = config['enable.idempotence']
  if (enable !== undefined && enable !== true && enable !== 'true') throw new ConfigError(`${option}['enable.idempotence']`, enable, idempotent, secrets)
  if (block?.idempotent !== undefined && block.idempotent !== true) throw new ConfigError(`${option}.kafkaJS.idempotent`, block.idempotent, idempotent, secrets)
  checkLibrdkafkaProducerConfig(config, option)
}

/**
 * A transactional pipeline must not read records of aborted or still-open transactions. The
 * top-level librdkafka key wins over the KafkaJS block inside the client, so check what counts.
 */
function checkReadCommitted(config: unknown): void {
  if (!isPlainObject(config)) return
  const accepted = "read_committed (the default): mode 'transactional' must not read records of aborted or open transactions"
  if (Object.hasOwn(config, 'isolation.level')) {
    const level = config['isolation.level']
    if (level !== 'read_committed') throw new ConfigError("config['isolation.level']", level, `'read_committed' or absent: ${accepted}`)
    return
  }
  const block = config.kafkaJS
  if (isPlainObject(block) && block.readUncommitted !== undefined && block.readUncommitted !== false) {
    throw new ConfigError('config.kafkaJS.readUncommitted', block.readUncommitted, `false or absent: ${accepted}`)
  }
}
