import { ConfigError, secretValues } from '@offsetkit/commit-core'
import { isPlainObject } from '@offsetkit/commit-core/adapter'

type Config = Record<string, unknown>

const SHAPE = "{ producerConfig } (a librdkafka producer config with a 'transactional.id' unique to this consumer instance)"

/**
 * Checks the `transaction` option against `mode` and the consumer config, before anything is
 * created. Returns the producer config to build the transactional producer from, or undefined in
 * at-least-once mode. Values of the configs are never echoed whole (they hold credentials).
 */
export function resolveTransactionOption(transaction: unknown, mode: unknown, consumerConfig: Config): Config | undefined {
  const transactional = mode === 'transactional'
  if (!transactional) {
    if (transaction !== undefined) {
      throw new ConfigError('transaction', transaction, "nothing unless mode: 'transactional' (set mode: 'transactional' to produce and commit in transactions)", { hideValue: true })
    }
    return undefined
  }
  if (transaction === undefined) {
    throw new ConfigError('transaction', transaction, `${SHAPE}: mode 'transactional' produces and commits through a transactional producer`)
  }
  if (!isPlainObject(transaction)) throw new ConfigError('transaction', transaction, SHAPE, { hideValue: true })
  for (const key of Object.keys(transaction)) {
    if (key !== 'producerConfig') {
      throw new ConfigError(`transaction.${key}`, transaction[key], 'no such option; known options of transaction are producerConfig', { hideValue: true })
    }
  }
  const config = transaction.producerConfig
  if (!isPlainObject(config)) throw new ConfigError('transaction.producerConfig', config, 'a librdkafka producer config object', { hideValue: true })
  const secrets = { secrets: [...secretValues(config), ...secretValues(consumerConfig)] }
  const id = config['transactional.id']
  if (typeof id !== 'string' || id === '') {
    throw new ConfigError('transaction.producerConfig["transactional.id"]', id,
      'a non-empty id, unique per consumer instance (another producer with the same id fences this one); it need not follow the partitions (KIP-447)', secrets)
  }
  const brokers = config['metadata.broker.list'] ?? config['bootstrap.servers']
  if (typeof brokers !== 'string' || brokers === '') {
    throw new ConfigError('transaction.producerConfig["metadata.broker.list"]', brokers, 'a non-empty "host:port,..." list (or "bootstrap.servers")', secrets)
  }
  for (const owned of ['dr_cb', 'dr_msg_cb'] as const) {
    if (config[owned] !== undefined) {
      throw new ConfigError(`transaction.producerConfig.${owned}`, config[owned], 'nothing: offsetkit reads the delivery reports of its transactional producer itself', secrets)
    }
  }
  const isolation = consumerConfig['isolation.level']
  if (isolation !== undefined && isolation !== 'read_committed') {
    throw new ConfigError('config["isolation.level"]', isolation,
      "'read_committed' or unset in mode 'transactional': a read_uncommitted consumer reads aborted outputs of an upstream transaction", secrets)
  }
  return config
}
