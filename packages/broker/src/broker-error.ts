import { redactSecrets, redactText } from '@offsetkit/commit-core'

/**
 * The `code` of a {@link BrokerError}: a bad option (`INVALID_OPTION`), no way to get a broker
 * (`NO_BROKER_RUNTIME`: no Java, Maven or Docker), Kafka's jars could not be resolved, a broker or
 * container failed to start, or did not become ready in time (`BROKER_START_TIMEOUT`).
 */
export type BrokerErrorCode =
  | 'INVALID_OPTION'
  | 'NO_BROKER_RUNTIME'
  | 'JAR_RESOLUTION_FAILED'
  | 'BROKER_START_FAILED'
  | 'BROKER_START_TIMEOUT'
  | 'DOCKER_START_FAILED'

/**
 * Every failure of @offsetkit/broker: one class, a `code` to branch on, the cause kept. Messages,
 * log tails and causes quote what the broker, mvn or Docker printed, which can include SASL/JAAS
 * settings or passwords (`sasl.jaas.config=…`, `KAFKA_SSL_KEY_PASSWORD=…`): all of it is redacted here.
 */
export class BrokerError extends Error {
  /** Always `BrokerError`. */
  override readonly name = 'BrokerError'
  /** What failed. */
  readonly code: BrokerErrorCode
  /** The broker's last log lines, when a broker process was involved. */
  readonly logTail: readonly string[]

  constructor(code: BrokerErrorCode, message: string, options: { cause?: unknown; logTail?: readonly string[] } = {}) {
    super(redactText(message), options.cause === undefined ? undefined : { cause: redactSecrets(options.cause) })
    this.code = code
    this.logTail = (options.logTail ?? []).map((line) => redactText(line))
  }
}
