import { ClientError, isOffsetkitError, type ClientErrorCode, type OffsetkitError } from '@offsetkit/commit-core'

// kafkajs protocol error `type`s and error class names by what a failed start means for the user.
const BY_TYPE: ReadonlyMap<string, ClientErrorCode> = new Map([
  ['UNKNOWN_TOPIC_OR_PARTITION', 'TOPIC_NOT_FOUND'],
  ['TOPIC_AUTHORIZATION_FAILED', 'AUTHORIZATION'],
  ['GROUP_AUTHORIZATION_FAILED', 'AUTHORIZATION'],
  ['CLUSTER_AUTHORIZATION_FAILED', 'AUTHORIZATION'],
  ['SASL_AUTHENTICATION_FAILED', 'AUTHENTICATION'],
  ['UNSUPPORTED_SASL_MECHANISM', 'AUTHENTICATION'],
  ['ILLEGAL_SASL_STATE', 'AUTHENTICATION'],
])
const BY_NAME: ReadonlyMap<string, ClientErrorCode> = new Map([
  ['KafkaJSSASLAuthenticationError', 'AUTHENTICATION'],
  ['KafkaJSConnectionError', 'BROKER_UNREACHABLE'],
  ['KafkaJSConnectionClosedError', 'BROKER_UNREACHABLE'],
  ['KafkaJSBrokerNotFound', 'BROKER_UNREACHABLE'],
  ['KafkaJSRequestTimeoutError', 'BROKER_UNREACHABLE'],
  ['KafkaJSInvalidArgument', 'CLIENT_CONFIG'],
])

/**
 * What `run()` rejects with when kafkajs cannot start (subscribe, the first join, a crash it does
 * not recover from). kafkajs wraps the real error (`KafkaJSNumberOfRetriesExceeded` around a
 * `KafkaJSConnectionError`, …): the innermost one it recognises along `cause` decides. kafkajs does
 * not say which topic is missing, so TOPIC_NOT_FOUND names the subscribed ones.
 */
export function kafkajsStartError(thrown: unknown, topics: readonly string[]): OffsetkitError {
  if (isOffsetkitError(thrown)) return thrown
  let code: ClientErrorCode | undefined
  for (let e: unknown = thrown, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const type = (e as { type?: unknown }).type
    code = (typeof type === 'string' ? BY_TYPE.get(type) : undefined) ?? BY_NAME.get(e.name) ?? code
  }
  const resolved = code ?? 'CLIENT_FAILED'
  return new ClientError(resolved, { cause: thrown, ...(resolved === 'TOPIC_NOT_FOUND' && { topics, someOf: true }) })
}
