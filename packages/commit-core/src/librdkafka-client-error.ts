import { ClientError, type ClientErrorCode } from './client-error.js'

// librdkafka error codes (negative: local to librdkafka, positive: Kafka protocol errors) by what a
// failed start means for the user. Shared by the node-rdkafka and confluent adapters.
const BY_CODE: ReadonlyMap<number, ClientErrorCode> = new Map([
  [-195, 'BROKER_UNREACHABLE'], // ERR__TRANSPORT
  [-193, 'BROKER_UNREACHABLE'], // ERR__RESOLVE
  [-187, 'BROKER_UNREACHABLE'], // ERR__ALL_BROKERS_DOWN
  [-185, 'BROKER_UNREACHABLE'], // ERR__TIMED_OUT: at start, the first metadata request got no answer
  [-169, 'AUTHENTICATION'], // ERR__AUTHENTICATION
  [-181, 'AUTHENTICATION'], // ERR__SSL
  [33, 'AUTHENTICATION'], // UNSUPPORTED_SASL_MECHANISM
  [34, 'AUTHENTICATION'], // ILLEGAL_SASL_STATE
  [58, 'AUTHENTICATION'], // SASL_AUTHENTICATION_FAILED
  [29, 'AUTHORIZATION'], // TOPIC_AUTHORIZATION_FAILED
  [30, 'AUTHORIZATION'], // GROUP_AUTHORIZATION_FAILED
  [31, 'AUTHORIZATION'], // CLUSTER_AUTHORIZATION_FAILED
  [3, 'TOPIC_NOT_FOUND'], // UNKNOWN_TOPIC_OR_PART
  [-188, 'TOPIC_NOT_FOUND'], // ERR__UNKNOWN_TOPIC
  [-186, 'CLIENT_CONFIG'], // ERR__INVALID_ARG
  [-170, 'CLIENT_CONFIG'], // ERR__INVALID_TYPE
])

/** Some wrappers lose the code (confluent's KafkaJS API reports a transport failure as code -1). */
const UNREACHABLE_TEXT = /transport failure|all broker connections are down|connection refused|failed to resolve/i

/**
 * The ClientError for what a librdkafka-based client (node-rdkafka, confluent) threw while
 * starting: connect, metadata, subscribe. Reads `code` along the `cause` chain.
 */
export function clientErrorFromLibrdkafka(
  thrown: unknown,
  options: { readonly topics?: readonly string[]; readonly secrets?: readonly string[] } = {},
): ClientError {
  let code: ClientErrorCode | undefined
  for (let e: unknown = thrown, depth = 0; code === undefined && typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const number = (e as { code?: unknown }).code
    if (typeof number === 'number') code = BY_CODE.get(number)
    if (code === undefined && e instanceof Error && UNREACHABLE_TEXT.test(e.message)) code = 'BROKER_UNREACHABLE'
  }
  const resolved = code ?? 'CLIENT_FAILED'
  return new ClientError(resolved, {
    cause: thrown,
    ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
    ...(resolved === 'TOPIC_NOT_FOUND' && options.topics !== undefined ? { topics: options.topics, someOf: true } : {}),
  })
}
