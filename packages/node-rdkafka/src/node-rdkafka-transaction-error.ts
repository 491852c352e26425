import type { CommitErrorClass } from '@offsetkit/commit-core'

/** Where in a transactional commit the client failed. */
export type TransactionStage = 'begin' | 'produce' | 'send-offsets' | 'commit' | 'abort' | 'producer-failed'

/**
 * What a transactional commit rejects with. The class is decided where the failure happened,
 * because librdkafka's code alone does not say it: the same timeout is retriable before the commit
 * was sent (the transaction is aborted) and fatal after it (the outcome is unknown).
 * - `aborted: true`: the transaction was aborted, nothing of it is visible, no offset moved.
 * - `aborted: false`: nothing was begun (`begin`, `producer-failed`) or the outcome is unknown
 *   (`commit`, `abort`); the latter two are always `fatal`.
 * The client's LibrdKafkaError is `cause`.
 */
export class NodeRdkafkaTransactionError extends Error {
  /** Always `NodeRdkafkaTransactionError`. */
  override readonly name = 'NodeRdkafkaTransactionError'
  /** How core treats the failure (decided from the stage and librdkafka's code). */
  readonly classification: CommitErrorClass
  /** Where in the transactional commit the client failed. */
  readonly stage: TransactionStage
  /** true: the transaction was aborted; nothing of it is visible and no offset moved. */
  readonly aborted: boolean

  constructor(message: string, options: { cause: unknown; classification: CommitErrorClass; stage: TransactionStage; aborted: boolean }) {
    super(message, { cause: options.cause })
    this.classification = options.classification
    this.stage = options.stage
    this.aborted = options.aborted
  }
}
