// @offsetkit/commit-core/adapter: what the three adapters share and users of core never need.
// Adapters keep only translation; logic two of them would write twice lives here.
export { classifyByCause } from './classify-by-cause.js'
export {
  LIBRDKAFKA_FENCED,
  LIBRDKAFKA_PURGED,
  LIBRDKAFKA_REBALANCE,
  LIBRDKAFKA_RETRIABLE,
  LIBRDKAFKA_STALE_EPOCH,
  classifyLibrdkafkaCommitError,
} from './librdkafka-commit-errors.js'
export { NO_HEADERS, headersFromGrouped, headersToGrouped } from './grouped-headers.js'
export type { GroupedHeaders } from './grouped-headers.js'
export { ClientNotRunningError } from './client-not-running-error.js'
export { isPlainObject } from '../option-checks.js'
export { timestampFromString } from './decimal-timestamp.js'
