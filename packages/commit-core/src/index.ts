// Public API of @offsetkit/commit-core. Hand-written on purpose: everything exported here is a
// promise to three adapters; internals (tracker, pipeline, deque) stay importable only by path.

export { createCommitEngine } from './commit-engine.js'
export type {
  AssignedPartition,
  CommitEngine,
  CommitEngineStats,
  EngineHealth,
  PartitionStats,
  RecordsArrivedOptions,
} from './commit-engine.js'
export type {
  CommitEngineOptions,
  CommitRetryOptions,
  HandlerContext,
  OutputMessage,
  Ordering,
  RecordHandler,
} from './commit-engine-options.js'
export type {
  CommitEngineEventName,
  CommitEngineEvents,
  DropReason,
  PartitionEvent,
  StalledPartition,
  StarvedPartition,
  GroupStalledPartition,
} from './commit-engine-events.js'
export type { LivenessOptions } from './liveness-monitor.js'

export type {
  ClientCapabilities,
  ClientPort,
  CommitEntry,
  CommitErrorClass,
  CommitReason,
  CommitRequest,
  EngineRecord,
  LogOffsets,
  OutputHeader,
  OutputRecord,
  PartitionOffset,
  PartitionOutputs,
} from './client-port.js'
export type { TopicPartition } from './topic-partition.js'
export { groupByTopic, topicPartitionKey } from './topic-partition.js'
export { queryRdkafkaGroupOffsets, queryRdkafkaLogOffsets } from './rdkafka-log-offsets.js'
export { matchesRdkafkaCommitReport } from './rdkafka-commit-report.js'
export type { RdkafkaMetadataQuery, RdkafkaOffsetQueries } from './rdkafka-log-offsets.js'

export { resolveCommitPolicy } from './commit-policy.js'
export type {
  CommitDecider,
  CommitDecision,
  CommitPolicy,
  CommitPolicyKind,
  CommitPolicyOption,
  CommitPolicyState,
  CommitShorthand,
  CommitTrigger,
  CountOrTimePolicy,
  CustomCommitPolicy,
} from './commit-policy.js'
export { resolveFailurePolicy } from './failure-policy.js'
export type { FailureAction, FailurePolicy, FailurePolicyOption, FailurePolicyOptions, RetryPredicate } from './failure-policy.js'
export { exponentialBackoff } from './backoff.js'
export type { BackoffFunction, BackoffOption, ExponentialBackoff } from './backoff.js'

export {
  commitOffsetFromBigInt,
  commitOffsetFromNumber,
  commitOffsetFromString,
  commitOffsetToNumber,
  commitOffsetToString,
  lastOffsetBefore,
  nextOffsetAfter,
  offsetFromBigInt,
  offsetFromNumber,
  offsetFromString,
  recordOffsetToNumber,
  recordOffsetToString,
  resumeAt,
} from './offset.js'
export type { CommitOffset, RecordOffset } from './offset.js'

export { OffsetkitError, isOffsetkitError } from './offsetkit-error.js'
export { ClientError, checkTopicsExist, missingTopicsError } from './client-error.js'
export { clientErrorFromLibrdkafka } from './librdkafka-client-error.js'
export type { ClientErrorCode, ClientErrorOptions } from './client-error.js'
export { ConfigError } from './config-error.js'
export type { ConfigErrorOptions } from './config-error.js'
export { REDACTED, isSecretKey, redactSecrets, redactText, secretValues } from './redact-secrets.js'
export type { RedactOptions } from './redact-secrets.js'
export { clientConfigProperty, configErrorFromClient } from './config-error-from-client.js'
export type { ClientConfigSource } from './config-error-from-client.js'
export { CommitError } from './commit-error.js'
export type { CommitErrorCode } from './commit-error.js'
export { OffsetError } from './offset-error.js'
export { ProcessingError } from './processing-error.js'
export type { ProcessingErrorCode } from './processing-error.js'
export { EngineError } from './engine-error.js'
export type { EngineErrorCode } from './engine-error.js'

export type { CancelTimer, Clock } from './clock.js'
export { systemClock } from './system-clock.js'
export type { Logger, LogLevel } from './logger.js'
export { consoleLogger, noopLogger, redactingLogger } from './logger.js'
export type { Listener } from './typed-emitter.js'

// Test helpers moved to the `@offsetkit/commit-core/testing` subpath; these stay for a while.
export {
  /** @deprecated import from '@offsetkit/commit-core/testing' */
  FakeClock,
  /** @deprecated import from '@offsetkit/commit-core/testing' */
  flushMicrotasks,
} from './deprecated-test-exports.js'

export { createOffsetkitConsumer, ConsumerStateError } from './offsetkit-consumer.js'
export type {
  BatchRunOptions,
  ConsumedBatchHandler,
  ConsumedRecordHandler,
  ConsumerDriver,
  ConsumerHealth,
  ConsumerStateErrorCode,
  OffsetkitConsumer,
  OffsetkitOptions,
  RecordRunOptions,
  RunOptions,
} from './offsetkit-consumer.js'
export type { RecordBatch } from './record-batch.js'
export type { ConsumedRecord, RecordHeader } from './consumed-record.js'
export { DEAD_LETTER_HEADERS, checkDeadLetterTopic, deadLetterMessage } from './dead-letter.js'
// For adapters (it throws core's own ConfigError, so it lives in the main entry: a copy of the class
// in the CJS build of the ./adapter subpath would break instanceof).
export { checkDeadLetterProducer } from './check-dead-letter-producer.js'
export type { DeadLetterMessage, DeadLetterTopicOption } from './dead-letter.js'
