import type { TopicPartition } from '@offsetkit/commit-core'

const where = (tp: TopicPartition): string => `${tp.topic}[${tp.partition}]`

/** One input partition whose transaction was aborted, and why. */
export interface PartitionFailure {
  /** The input partition. */
  readonly partition: TopicPartition
  /** What made its transaction fail. */
  readonly error: unknown
}

/**
 * The transaction of one input partition may have committed or not: its EndTxn (commit) failed
 * without the broker saying no. Classified `fatal`: core must neither re-send nor drop its outputs
 * as if it knew. The partition's next producer settles the transaction one way or the other.
 */
export class TransactionOutcomeUnknownError extends Error {
  /** The error's class name, stable across bundles. */
  override readonly name = 'TransactionOutcomeUnknownError'

  constructor(
    /** The input partition whose transaction's outcome is unknown. */
    readonly partition: TopicPartition,
    cause: unknown,
  ) {
    super(`the commit of the transaction for ${where(partition)} failed; it may or may not have committed`, { cause })
  }
}

/** A transaction failed and aborting it failed too. Classified `fatal`; `cause` is the abort's error. */
export class TransactionAbortFailedError extends Error {
  /** The error's class name, stable across bundles. */
  override readonly name = 'TransactionAbortFailedError'

  constructor(
    /** The input partition whose transaction failed. */
    readonly partition: TopicPartition,
    /** Why the transaction failed (before the abort failed too). */
    readonly failure: unknown,
    abortError: unknown,
  ) {
    super(`the transaction for ${where(partition)} failed and could not be aborted`, { cause: abortError })
  }
}

/**
 * Some input partitions' transactions committed and others were aborted (not fenced). Classified
 * `fatal`: core cannot be told which outputs are produced, and re-sending them all would produce
 * the committed ones twice.
 */
export class TransactionPartlyCommittedError extends Error {
  /** The error's class name, stable across bundles. */
  override readonly name = 'TransactionPartlyCommittedError'

  constructor(
    /** The input partitions whose transactions committed. */
    readonly committed: readonly TopicPartition[],
    /** The input partitions whose transactions were aborted, each with its error. */
    readonly failures: readonly PartitionFailure[],
  ) {
    super(
      `transactions committed for ${committed.map(where).join(', ')} but aborted for ${failures.map((f) => where(f.partition)).join(', ')}`,
      { cause: failures[0]?.error },
    )
  }
}

/** A partition's producer was fenced earlier: only its next assignment makes a new one. Classified `fenced`. */
export class ProducerFencedError extends Error {
  /** The error's class name, stable across bundles. */
  override readonly name = 'ProducerFencedError'

  constructor(
    /** The input partition whose producer was fenced. */
    readonly partition: TopicPartition,
  ) {
    super(`the transactional producer of ${where(partition)} was fenced by a newer owner of the partition`)
  }
}
