import { commitOffsetToNumber, type CommitEntry, type Logger, type OutputRecord, type PartitionOutputs } from '@offsetkit/commit-core'
import { LIBRDKAFKA_PURGED } from '@offsetkit/commit-core/adapter'
import Kafka from 'node-rdkafka'
import type { DeliveryReport, KafkaConsumer, LibrdKafkaError, MessageHeader, Producer } from 'node-rdkafka'
import { classifyAbortedTransaction } from './classify-node-rdkafka-error.js'
import { NodeRdkafkaTransactionError, type TransactionStage } from './node-rdkafka-transaction-error.js'

/** librdkafka's advice for commit and abort: -1, the transaction's remaining `transaction.timeout.ms`. */
const REMAINING_TRANSACTION_TIME = -1
/** commitTransaction calls per transaction while it fails retriably (a timeout: the commit goes on in the background). */
const COMMIT_ATTEMPTS = 3
const ABORT_ATTEMPTS = 3
/** How long sendOffsetsToTransaction may take; librdkafka retries coordinator errors within it. */
const SEND_OFFSETS_TIMEOUT_MS = 30_000
/** produce() while the queue is full: wait this long for deliveries, this many times. */
const QUEUE_FULL_WAIT_MS = 10
const QUEUE_FULL_ATTEMPTS = 500
/** Delivery reports are only served by poll; flush (inside commitTransaction) also serves them. */
const POLL_INTERVAL_MS = 100
const ERR__QUEUE_FULL = -184

export interface NodeRdkafkaTransactionsOptions {
  /** The user's producer config, `transactional.id` included (checked by resolveTransactionOption). */
  readonly producerConfig: Record<string, unknown>
  readonly connectTimeoutMs: number
  readonly logger: Logger
  /** The producer can no longer be used (fatal error, or a commit whose outcome is unknown). */
  readonly onFailed: (error: NodeRdkafkaTransactionError) => void
}

function buffer(value: Uint8Array | string | null): Buffer | null {
  if (value === null) return null
  return typeof value === 'string' ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/**
 * node-rdkafka sends header values through a JS string (src/producer.cc), cut at the first NUL
 * byte: header values are text, as in the dead-letter producer.
 */
function headers(record: OutputRecord): MessageHeader[] {
  return record.headers.map(({ key, value }) => ({ [key]: buffer(value) ?? Buffer.alloc(0) }))
}

/**
 * The transactional producer behind `mode: 'transactional'`: one call of {@link commit} is one
 * producer transaction holding the outputs and the consumer's offsets (sent with the consumer's
 * group metadata, so a member fenced by a rebalance cannot commit: KIP-447).
 *
 * After a fatal error, or a commit whose outcome cannot be known, the producer is not recreated:
 * a new one with the same `transactional.id` would settle the open transaction behind our back.
 * Every later commit fails `fatal` and `onFailed` stops the consumer; a new consumer resumes from
 * the committed offsets, and its producer's initTransactions fences this one.
 */
export class NodeRdkafkaTransactions {
  readonly producer: Producer
  private connected = false
  private failure: NodeRdkafkaTransactionError | undefined
  /** Opaque of the transaction in progress: its delivery reports are told apart by it. */
  private current: object | undefined
  private deliveryError: LibrdKafkaError | undefined

  constructor(private readonly options: NodeRdkafkaTransactionsOptions) {
    // Throws on a config librdkafka rejects; the caller turns it into a ConfigError.
    // Only failed deliveries matter (they make the transaction abort), and a report per output
    // is a JS callback per output: librdkafka reports only the failed ones unless the app says otherwise.
    this.producer = new Kafka.Producer({ 'delivery.report.only.error': true, ...options.producerConfig, dr_cb: true })
    this.producer.on('delivery-report', (error, report: DeliveryReport) => this.delivered(error, report))
    this.producer.on('event.error', (error) => options.logger.warn('librdkafka producer error', { code: error.code, error: error.message }))
  }

  /** Connects and initialises transactions: fences an earlier producer with the same id and settles its open transaction. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.producer.connect({ timeout: this.options.connectTimeoutMs }, (error) => (error ? reject(error) : resolve()))
    })
    this.connected = true
    this.producer.setPollInterval(POLL_INTERVAL_MS)
    await call((cb) => this.producer.initTransactions(this.options.connectTimeoutMs, cb))
  }

  async close(): Promise<void> {
    if (!this.connected) return
    this.connected = false
    await new Promise<void>((resolve) => {
      this.producer.disconnect((error: unknown) => {
        if (error) this.options.logger.warn('producer disconnect failed', { error: String(error) })
        resolve()
      })
    })
  }

  /**
   * Produces `outputs` and commits `offsets` in one transaction. Resolves once it committed;
   * rejects after aborting it, or `fatal` when it cannot be aborted or its outcome is unknown.
   */
  async commit(offsets: readonly CommitEntry[], outputs: readonly PartitionOutputs[], consumer: KafkaConsumer): Promise<void> {
    if (this.failure !== undefined) {
      throw new NodeRdkafkaTransactionError('the transactional producer failed earlier; nothing more can be committed', {
        cause: this.failure, classification: 'fatal', stage: 'producer-failed', aborted: false,
      })
    }
    try {
      await call((cb) => this.producer.beginTransaction(cb))
    } catch (error) {
      // Nothing was begun. begin fails only on a producer in a fatal or inconsistent state.
      throw this.failed('begin', error)
    }
    const token = {}
    this.current = token
    this.deliveryError = undefined
    let stage: TransactionStage = 'produce'
    try {
      for (const partition of outputs) for (const record of partition.records) await this.produce(record, token)
      stage = 'send-offsets'
      // commitOffsetToNumber: librdkafka reads a non-number offset as 0 and would rewind the group.
      const list = offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: commitOffsetToNumber(offset) }))
      await call((cb) => this.producer.sendOffsetsToTransaction(list, consumer, SEND_OFFSETS_TIMEOUT_MS, cb))
    } catch (error) {
      if (isFatal(error)) throw this.failed(stage, error)
      throw await this.abort(stage, error)
    }
    for (let attempt = 1; ; attempt++) {
      try {
        // Flushes the outputs first; any that failed delivery make this fail with "abort needed".
        await call((cb) => this.producer.commitTransaction(REMAINING_TRANSACTION_TIME, cb))
        this.current = undefined
        return
      } catch (error) {
        if (isFatal(error)) throw this.failed('commit', error)
        if (flag(error, 'isTxnRequiresAbort')) throw await this.abort('commit', error)
        // A retriable commit goes on in the background; calling again resumes it (same transaction).
        if (flag(error, 'isRetriable') && attempt < COMMIT_ATTEMPTS) {
          this.options.logger.warn('commitTransaction failed retriably; calling it again', { attempt, code: code(error) })
          continue
        }
        // Neither aborted nor known to be committed: the outcome is unknown.
        throw this.failed('commit', error)
      }
    }
  }

  private async produce(record: OutputRecord, token: object): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.producer.produce(record.topic, record.partition ?? null, buffer(record.value), buffer(record.key), null, token, headers(record))
        return
      } catch (error) {
        // Full until earlier outputs of this transaction are delivered; the poll interval serves them.
        if (code(error) !== ERR__QUEUE_FULL || attempt >= QUEUE_FULL_ATTEMPTS) throw error
        await new Promise((resolve) => setTimeout(resolve, QUEUE_FULL_WAIT_MS))
      }
    }
  }

  private delivered(error: LibrdKafkaError | null | undefined, report: DeliveryReport | undefined): void {
    // Delivery errors of messages purged BY the abort: consequences, never the cause.
    if (!error || report?.opaque !== this.current || LIBRDKAFKA_PURGED.has(error.code)) return
    this.deliveryError ??= error
  }

  /** Aborts the transaction after `error`, then rejects with the class of its cause. */
  private async abort(stage: TransactionStage, error: unknown): Promise<NodeRdkafkaTransactionError> {
    for (let attempt = 1; ; attempt++) {
      try {
        await call((cb) => this.producer.abortTransaction(REMAINING_TRANSACTION_TIME, cb))
        break
      } catch (abortError) {
        if (!isFatal(abortError) && flag(abortError, 'isRetriable') && attempt < ABORT_ATTEMPTS) continue
        // The transaction is neither committed nor aborted: the producer cannot go on.
        this.options.logger.error('abortTransaction failed', { code: code(abortError), after: String(error) })
        return this.failed('abort', abortError)
      }
    }
    this.current = undefined
    // A commit that failed because outputs failed delivery says only "N message(s) failed
    // delivery" (ERR__INCONSISTENT): the delivery report holds the reason.
    const cause = this.deliveryError ?? error
    const classification = classifyAbortedTransaction(cause)
    return new NodeRdkafkaTransactionError(`transaction aborted at ${stage}: ${message(cause)}`, { cause, classification, stage, aborted: true })
  }

  /** The producer is unusable from now on: every later commit fails `fatal`, and the consumer stops. */
  private failed(stage: TransactionStage, error: unknown): NodeRdkafkaTransactionError {
    const failure = new NodeRdkafkaTransactionError(
      stage === 'commit' && !isFatal(error)
        ? `commitTransaction failed and the transaction's outcome is unknown: ${message(error)}`
        : `the transactional producer failed at ${stage}: ${message(error)}`,
      { cause: error, classification: 'fatal', stage, aborted: false },
    )
    this.current = undefined
    if (this.failure === undefined) {
      this.failure = failure
      this.options.onFailed(failure)
    }
    return failure
  }
}

function call(run: (cb: (error: LibrdKafkaError | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    run((error) => (error ? reject(error) : resolve()))
  })
}

function flag(error: unknown, name: 'isFatal' | 'isRetriable' | 'isTxnRequiresAbort'): boolean {
  return typeof error === 'object' && error !== null && (error as Record<string, unknown>)[name] === true
}

const isFatal = (error: unknown): boolean => flag(error, 'isFatal')

function code(error: unknown): number | undefined {
  const value = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof value === 'number' ? value : undefined
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
