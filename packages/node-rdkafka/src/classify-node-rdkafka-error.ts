import { classifyLibrdkafkaCommitError } from '@offsetkit/commit-core/adapter'

/** The one place node-rdkafka commit errors are mapped onto core's classes: librdkafka's codes, shared with confluent. */
export const classifyNodeRdkafkaCommitError = classifyLibrdkafkaCommitError
