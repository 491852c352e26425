export { offsetkitKafkajs } from './offsetkit-kafkajs.js'
export type { KafkajsOffsetkitOptions } from './offsetkit-kafkajs.js'
export { classifyKafkajsCommitError } from './classify-kafkajs-error.js'
export { recordFromKafkajs } from './kafkajs-records.js'
// What a transactional commit rejects with (CommitError.cause), besides kafkajs' own errors.
export { ProducerFencedError, TransactionAbortFailedError, TransactionOutcomeUnknownError, TransactionPartlyCommittedError } from './transaction-errors.js'
export type { PartitionFailure } from './transaction-errors.js'
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
  RunOptions,
} from '@offsetkit/commit-core'
