export { offsetkitConfluent } from './offsetkit-confluent.js'
export type { ConfluentOffsetkitOptions } from './offsetkit-confluent.js'
export type { ConfluentDeadLetter } from './confluent-driver.js'
export { classifyConfluentCommitError } from './classify-confluent-error.js'
export { recordFromConfluent } from './confluent-records.js'
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
