export { offsetkitNodeRdkafka } from './offsetkit-node-rdkafka.js'
export { NODE_RDKAFKA_CONFIG_DEFAULTS } from './resolve-node-rdkafka-config.js'
export type { NodeRdkafkaClientConfig, NodeRdkafkaOffsetkitOptions } from './offsetkit-node-rdkafka.js'
export { classifyNodeRdkafkaCommitError } from './classify-node-rdkafka-error.js'
export { NodeRdkafkaTransactionError } from './node-rdkafka-transaction-error.js'
export type { TransactionStage } from './node-rdkafka-transaction-error.js'
export { headersFromNodeRdkafka, recordFromNodeRdkafka } from './node-rdkafka-records.js'
// One install is enough: the errors to catch and the option types come from here too.
export { ClientError, CommitError, ConfigError, ConsumerStateError, OffsetkitError, isOffsetkitError } from '@offsetkit/commit-core'
export type {
  ClientErrorCode,
  CommitEngineEvents,
  CommitErrorCode,
  CommitPolicyOption,
  ConsumedRecord,
  ConsumerHealth,
  ConsumerStateErrorCode,
  FailurePolicyOption,
  HandlerContext,
  LivenessOptions,
  Logger,
  OffsetkitConsumer,
  OffsetkitOptions,
  Ordering,
  OutputMessage,
  RunOptions,
} from '@offsetkit/commit-core'
