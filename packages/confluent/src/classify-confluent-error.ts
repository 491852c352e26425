import { classifyLibrdkafkaCommitError } from '@offsetkit/commit-core/adapter'

/**
 * The one place confluent commit errors are mapped onto core's classes: librdkafka's codes, shared
 * with node-rdkafka. Both of this client's APIs (LibrdKafkaError, KafkaJSError) carry the code in
 * `code`, sometimes on a `cause`.
 */
export const classifyConfluentCommitError = classifyLibrdkafkaCommitError
