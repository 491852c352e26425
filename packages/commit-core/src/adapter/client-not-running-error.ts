/**
 * What a port throws instead of sending a commit its client cannot send (not connected, runner
 * stopped, disconnecting). It carries librdkafka's ERR__STATE (-172) as `code`, so every adapter's
 * classifier reads it as `fenced`: the commit is dropped, never retried against a dead client, and
 * the liveness monitor reports it if no revoke, loss or rejoin follows.
 */
export class ClientNotRunningError extends Error {
  /** Always `ClientNotRunningError`. */
  override readonly name = 'ClientNotRunningError'
  /** librdkafka's ERR__STATE. */
  readonly code = -172
}
