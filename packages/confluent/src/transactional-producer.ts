import { commitOffsetToNumber, type CommitRequest, type OutputRecord, type PartitionOutputs } from '@offsetkit/commit-core'
import { ClientNotRunningError } from '@offsetkit/commit-core/adapter'
import type { KafkaJS } from '@confluentinc/kafka-javascript'
import { flag, isFatalProducerError } from './classify-confluent-error.js'
import { ConfluentTransactionError, type TransactionStage } from './confluent-transaction-error.js'

type Done = (error: unknown) => void
type OffsetList = Array<{ topic: string; partition: number; offset: number; leaderEpoch?: number; metadata?: string }>

/** The slice of the KafkaJS producer's internal rdkafka-API producer used here (not in the client's types). */
interface InternalProducer {
  isConnected(): boolean
  beginTransaction(done: Done): void
  commitTransaction(timeoutMs: number, done: Done): void
  abortTransaction(timeoutMs: number, done: Done): void
  sendOffsetsToTransaction(offsets: OffsetList, consumer: unknown, timeoutMs: number, done: Done): void
}

type ProducerWithInternals = KafkaJS.Producer & { _getInternalClient(): InternalProducer | null }

/**
 * librdkafka's advice for every transactional call: -1, the transaction's remaining time
 * (`transaction.timeout.ms`). A shorter timeout risks desynchronising its state machine.
 */
const REMAINING_TRANSACTION_TIME = -1
/** Calls librdkafka flags retriable (the operation continues in the background) are repeated. */
const RETRIABLE_ATTEMPTS = 3
/**
 * `connect()` runs init_transactions with a fixed 5 s timeout, and after a timeout that producer
 * can never connect: a fresh one is tried (the first transactional producer on a cluster waits
 * for the transaction log topic to be created).
 */
const CONNECT_ATTEMPTS = 3

function call(operation: (done: Done) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    operation((error) => (error === null || error === undefined ? resolve() : reject(error)))
  })
}

/**
 * One transactional producer per offsetkit consumer (KIP-447: fencing goes by the consumer's group
 * metadata, so one transactional.id serves every partition this consumer owns).
 *
 * Transactions run on the producer's internal rdkafka-API client: the KafkaJS API's
 * transaction(), sendOffsets(), commit() and abort() build their KafkaJSError from
 * `fatal`/`retriable`/`abortable`, which librdkafka's errors name `isFatal`/`isRetriable`/
 * `isTxnRequiresAbort`, so every flag arrives false; and they time out after a fixed 5 s.
 * Records go through the KafkaJS API's send(), which awaits each delivery report.
 */
export class TransactionalProducer {
  private producer: ProducerWithInternals | undefined
  /** A fatal producer error: librdkafka cannot use this producer again, so no commit is tried. */
  private failed: unknown

  constructor(private readonly create: () => KafkaJS.Producer) {}

  /** Connects; the client's connect() also runs init_transactions (fencing an older instance with this id). */
  async connect(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const producer = this.create() as ProducerWithInternals
      this.producer = producer
      try {
        await producer.connect()
        return
      } catch (error) {
        this.producer = undefined
        await producer.disconnect().catch(() => undefined)
        if (!flag(error, 'isRetriable') || attempt >= CONNECT_ATTEMPTS) throw error
      }
    }
  }

  async disconnect(): Promise<void> {
    const producer = this.producer
    this.producer = undefined
    await producer?.disconnect()
  }

  /**
   * One transaction: produce `outputs`, send `offsets` with the consumer's group metadata, commit.
   * Resolves once committed; otherwise rejects with a ConfluentTransactionError saying whether the
   * transaction was aborted (see ClientPort.commit).
   */
  async commit({ offsets, outputs = [] }: CommitRequest, consumer: unknown): Promise<void> {
    if (this.failed !== undefined) throw new ConfluentTransactionError('begin', 'not-begun', this.failed)
    const producer = this.producer
    const internal = producer?._getInternalClient()
    if (producer === undefined || !internal?.isConnected()) {
      throw new ClientNotRunningError('the transactional producer is not connected; nothing was sent')
    }
    try {
      await call((done) => internal.beginTransaction(done))
    } catch (error) {
      throw this.failure('begin', 'not-begun', error)
    }
    // Numbers, never strings: the native layer reads a string offset as 0.
    const list: OffsetList = offsets.map(({ topic, partition, offset, leaderEpoch, metadata }) => ({
      topic,
      partition,
      offset: commitOffsetToNumber(offset),
      ...(leaderEpoch === undefined ? {} : { leaderEpoch }),
      ...(metadata === undefined ? {} : { metadata }),
    }))
    const [produced, sent] = await Promise.allSettled([
      this.produce(producer, outputs),
      call((done) => internal.sendOffsetsToTransaction(list, consumer, REMAINING_TRANSACTION_TIME, done)),
    ])
    // A group error (KIP-447 fencing) says more than the produce failure it usually comes with.
    if (sent.status === 'rejected') throw await this.abort(internal, 'send-offsets', sent.reason)
    if (produced.status === 'rejected') throw await this.abort(internal, 'produce', produced.reason)
    for (let attempt = 1; ; attempt++) {
      try {
        await call((done) => internal.commitTransaction(REMAINING_TRANSACTION_TIME, done))
        return
      } catch (error) {
        // Retriable: the commit goes on in the background and may be called again.
        if (flag(error, 'isRetriable') && !flag(error, 'isTxnRequiresAbort') && attempt < RETRIABLE_ATTEMPTS) continue
        // Anything else: only an abort that succeeds proves nothing was committed (a transaction
        // that did commit can no longer be aborted); otherwise the outcome is unknown.
        throw await this.abort(internal, 'commit', error)
      }
    }
  }

  private produce(producer: KafkaJS.Producer, outputs: readonly PartitionOutputs[]): Promise<unknown> {
    const byTopic = new Map<string, KafkaJS.Message[]>()
    for (const { records } of outputs) {
      for (const record of records) {
        const messages = byTopic.get(record.topic) ?? []
        if (messages.length === 0) byTopic.set(record.topic, messages)
        messages.push(toMessage(record))
      }
    }
    // send() resolves on the delivery reports of its records: within one topic in order.
    return Promise.all([...byTopic].map(([topic, messages]) => producer.send({ topic, messages })))
  }

  /** Aborts after `cause`; returns the error to reject with, saying whether the abort happened. */
  private async abort(internal: InternalProducer, stage: TransactionStage, cause: unknown): Promise<ConfluentTransactionError> {
    const never = stage === 'commit' ? 'unknown' : 'not-aborted'
    if (isFatalProducerError(cause)) return this.failure(stage, never, cause)
    for (let attempt = 1; ; attempt++) {
      try {
        await call((done) => internal.abortTransaction(REMAINING_TRANSACTION_TIME, done))
        return new ConfluentTransactionError(stage, 'aborted', cause)
      } catch (abortError) {
        if (flag(abortError, 'isRetriable') && attempt < RETRIABLE_ATTEMPTS) continue
        if (isFatalProducerError(abortError)) this.failed = abortError
        return new ConfluentTransactionError(stage, never, cause)
      }
    }
  }

  private failure(stage: TransactionStage, outcome: 'not-begun' | 'not-aborted' | 'unknown', cause: unknown): ConfluentTransactionError {
    if (isFatalProducerError(cause)) this.failed = cause
    return new ConfluentTransactionError(stage, outcome, cause)
  }
}

const bytes = (value: Uint8Array | string): Buffer | string =>
  typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)

/**
 * An output record as the KafkaJS API's send() takes it. Headers are grouped by key (repeated keys
 * keep their order); the native layer takes only strings and buffers, so a null header value
 * becomes an empty one.
 */
export function toMessage(record: OutputRecord): KafkaJS.Message {
  const headers: Record<string, Array<Buffer | string>> = {}
  for (const { key, value } of record.headers) (headers[key] ??= []).push(value === null ? Buffer.alloc(0) : bytes(value))
  return {
    key: record.key === null ? null : bytes(record.key),
    value: record.value === null ? null : bytes(record.value),
    ...(record.partition === undefined ? {} : { partition: record.partition }),
    headers,
  }
}
