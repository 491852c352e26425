export type BrokerErrorCode =
  | 'INVALID_OPTION'
  | 'NO_BROKER_RUNTIME'
  | 'JAR_RESOLUTION_FAILED'
  | 'BROKER_START_FAILED'
  | 'BROKER_START_TIMEOUT'
  | 'DOCKER_START_FAILED'

/** Every failure of @offsetkit/broker: one class, a `code` to branch on, the cause kept. */
export class BrokerError extends Error {
  override readonly name = 'BrokerError'
  readonly code: BrokerErrorCode
  /** The broker's last log lines, when a broker process was involved. */
  readonly logTail: readonly string[]

  constructor(code: BrokerErrorCode, message: string, options: { cause?: unknown; logTail?: readonly string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.logTail = options.logTail ?? []
  }
}
