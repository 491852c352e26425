/** Which step of a transactional commit failed. */
export type TransactionStage = 'begin' | 'produce' | 'send-offsets' | 'commit'

/**
 * What became of the transaction when the commit rejected:
 * - `not-begun`: nothing was sent;
 * - `aborted`: begun and aborted: no output visible to read_committed readers, no offset moved;
 * - `not-aborted`: begun, never committed, but it could not be aborted (the producer failed):
 *   the coordinator aborts it on its timeout, or when the next producer with this id starts;
 * - `unknown`: commit was called and the outcome cannot be known: it may have committed.
 */
export type TransactionOutcome = 'not-begun' | 'aborted' | 'not-aborted' | 'unknown'

/**
 * What the port's transactional commit rejects with. It stays inside the adapter (core reads it
 * through classifyConfluentCommitError only); the client's error is `cause`.
 */
export class ConfluentTransactionError extends Error {
  override readonly name = 'ConfluentTransactionError'

  constructor(
    readonly stage: TransactionStage,
    readonly outcome: TransactionOutcome,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`offsetkit: transaction failed in ${stage} (${outcome}): ${reason}`, { cause })
  }
}
