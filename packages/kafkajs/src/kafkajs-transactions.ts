import { topicPartitionKey, type CommitEntry, type CommitErrorClass, type OutputRecord, type PartitionOutputs, type TopicPartition } from '@offsetkit/commit-core'
import type { Kafka, Message, Producer, ProducerConfig, TopicMessages } from 'kafkajs'
import { classifyKafkajsCommitError, isFencedKafkajsError } from './classify-kafkajs-error.js'
import { headersToKafkajs } from './kafkajs-records.js'
import { ProducerFencedError, TransactionAbortFailedError, TransactionOutcomeUnknownError, TransactionPartlyCommittedError } from './transaction-errors.js'

/** The adapter's `transaction` option, checked. */
export interface KafkajsTransactionOptions {
  /** The Kafka instance the consumer was made from: the port makes its producers with it. */
  readonly kafka: Kafka
  /** The same on every member of the group; each input partition's transactional id derives from it. */
  readonly id: string
  /** Passed to `kafka.producer()` for every transactional producer. */
  readonly producer?: Pick<ProducerConfig, 'retry' | 'transactionTimeout'> | undefined
}

/**
 * The transactional producers' retry defaults. A partition's next transaction starts right after
 * the last one's EndTxn, while the broker still writes its markers: its AddPartitionsToTxn is
 * refused with CONCURRENT_TRANSACTIONS (retriable) for a few milliseconds. kafkajs' first retry
 * waits 300 ms, which made every back-to-back transaction take ~350 ms on a local broker; a 20 ms
 * first retry (the Java producer's backoff for that error) takes ~45 ms. Nine retries keep kafkajs'
 * total budget (~10 s, against 5 × 300 ms doubling ≈ 9.3 s). An app's own `retry` fields win.
 */
export const TRANSACTIONAL_RETRY = { initialRetryTime: 20, retries: 9 } as const

const SEVERITY: Readonly<Record<CommitErrorClass, number>> = { fatal: 0, retriable: 1, rebalance: 2, fenced: 3 }

/** One input partition's transactional producer. */
interface PartitionProducer {
  readonly producer: Producer
  /** Connected and InitProducerId done: every older producer of this transactional id is fenced. */
  readonly ready: Promise<void>
  /** The transaction running now, if any: a release waits for it before disconnecting. */
  running: Promise<unknown>
  /** This producer was fenced: a newer one owns the id, and re-initialising would fence IT. */
  fenced: boolean
}

/**
 * One transactional producer per input partition, transactional id `${id}-${topic}-${partition}`.
 * kafkajs sends TxnOffsetCommit v0/v1, without the group generation and member id of KIP-447, so
 * the broker cannot refuse a transaction from a member that lost the partition. A transactional id
 * per input partition restores the pre-KIP-447 fence: the partition's next owner initialises the
 * same id, which aborts the old owner's open transaction (or waits for its commit to complete)
 * and bumps the epoch, so the old producer's later sends and commits fail.
 */
export class KafkajsTransactions {
  private readonly producers = new Map<string, PartitionProducer>()
  private closed = false

  constructor(
    private readonly options: KafkajsTransactionOptions,
    /**
     * A partition's producer was fenced: a newer owner initialised its transactional id, so this
     * member lost the partition (whatever kafkajs still thinks) and its state there is stale.
     */
    private readonly fencedOut: (partition: TopicPartition) => void = () => undefined,
  ) {}

  /**
   * Makes this member the partition's only writer: resolves once the partition's producer is
   * initialised, i.e. once any earlier owner's transaction is aborted or completed.
   */
  fence(partition: TopicPartition): Promise<void> {
    return this.producerFor(partition).ready
  }

  /**
   * One transaction per partition, run concurrently. Resolves when all committed; otherwise rejects
   * once every transaction that did not commit is aborted (see the errors for what each rejection means).
   */
  async commit(groupId: string, offsets: readonly CommitEntry[], outputs: readonly PartitionOutputs[]): Promise<void> {
    const recordsOf = new Map(outputs.map((o) => [topicPartitionKey(o.topic, o.partition), o.records]))
    const results = await Promise.allSettled(
      offsets.map((entry) => this.commitPartition(groupId, entry, recordsOf.get(topicPartitionKey(entry.topic, entry.partition)) ?? [])),
    )
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ partition: offsets[i]!, error: r.reason as unknown }] : []))
    if (failures.length === 0) return
    const committed = offsets.filter((_, i) => results[i]!.status === 'fulfilled')
    // Nothing committed: the most severe class decides (a fenced partition fails fast on a retry).
    if (committed.length === 0) throw failures.map((f) => f.error).sort((a, b) => SEVERITY[classifyKafkajsCommitError(a)] - SEVERITY[classifyKafkajsCommitError(b)])[0]
    // The rest were fenced: their next owner re-reads them after this member's transactions, so
    // their outputs are its to produce. Resolving is what lets core drop every output of this
    // request: rejecting would keep the committed partitions' outputs and produce them again.
    if (failures.every((f) => isFencedKafkajsError(f.error))) return
    throw new TransactionPartlyCommittedError(committed, failures)
  }

  /** Partitions this member no longer owns: their producers disconnect once their transaction ends. */
  release(partitions: readonly TopicPartition[]): Promise<void> {
    return Promise.all(partitions.map((tp) => this.retire(topicPartitionKey(tp.topic, tp.partition)))).then(() => undefined)
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all([...this.producers.keys()].map((key) => this.retire(key)))
  }

  private async commitPartition(groupId: string, entry: CommitEntry, records: readonly OutputRecord[]): Promise<void> {
    const current = this.producerFor(entry)
    const run = this.transact(current, groupId, entry, records)
    current.running = run.catch(() => undefined)
    try {
      await run
    } catch (error) {
      if (isFencedKafkajsError(error) && !current.fenced) {
        // Kept (fenced) until the partition is released: a new producer would fence its new owner.
        current.fenced = true
        void current.producer.disconnect().catch(() => undefined)
        this.fencedOut({ topic: entry.topic, partition: entry.partition })
      } else if (error instanceof TransactionOutcomeUnknownError || error instanceof TransactionAbortFailedError) {
        // kafkajs cannot begin another transaction on it; the next one settles this one's outcome.
        void this.retire(topicPartitionKey(entry.topic, entry.partition), current)
      }
      throw error
    }
  }

  private async transact(current: PartitionProducer, groupId: string, entry: CommitEntry, records: readonly OutputRecord[]): Promise<void> {
    // A fenced producer stays fenced; only the partition's next assignment makes a new one.
    if (current.fenced) throw new ProducerFencedError({ topic: entry.topic, partition: entry.partition })
    await current.ready
    const txn = await current.producer.transaction()
    try {
      // kafkajs sends a batch as ONE record batch per partition, refused above the broker's
      // message.max.bytes (1 MiB by default): send the outputs in chunks well below it.
      for (const chunk of chunks(records, CHUNK_BYTES)) await txn.sendBatch({ topicMessages: byTopic(chunk) })
      await txn.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: entry.topic, partitions: [{ partition: entry.partition, offset: entry.offset.toString() }] }],
      })
    } catch (error) {
      try {
        await txn.abort()
      } catch (abortError) {
        // The broker aborted it when a newer producer fenced this one: the transaction is gone.
        if (isFencedKafkajsError(abortError)) throw abortError
        throw new TransactionAbortFailedError(entry, error, abortError)
      }
      throw error
    }
    try {
      await txn.commit()
    } catch (error) {
      // A fenced EndTxn was refused: the fencing producer's initialisation aborted this transaction.
      if (isFencedKafkajsError(error)) throw error
      throw new TransactionOutcomeUnknownError(entry, error)
    }
  }

  private producerFor(tp: TopicPartition): PartitionProducer {
    const key = topicPartitionKey(tp.topic, tp.partition)
    const existing = this.producers.get(key)
    if (existing !== undefined) return existing
    if (this.closed) throw new Error('the transactional producers are closed')
    const producer = this.options.kafka.producer({
      ...this.options.producer,
      retry: { ...TRANSACTIONAL_RETRY, ...this.options.producer?.retry },
      transactionalId: `${this.options.id}-${tp.topic}-${tp.partition}`,
      // Every send goes through a transaction, which kafkajs makes idempotent on its own;
      // `idempotent: true` would only add a second InitProducerId at connect and unbounded retries.
      idempotent: false,
      maxInFlightRequests: 1,
    })
    const entry: PartitionProducer = { producer, ready: initialise(producer), running: Promise.resolve(), fenced: false }
    // A failed initialisation is tried again by the partition's next commit.
    entry.ready.catch(() => {
      if (this.producers.get(key) === entry) void this.retire(key, entry)
    })
    this.producers.set(key, entry)
    return entry
  }

  private async retire(key: string, only?: PartitionProducer): Promise<void> {
    const entry = this.producers.get(key)
    if (entry === undefined || (only !== undefined && entry !== only)) return
    this.producers.delete(key)
    await entry.ready.catch(() => undefined)
    await entry.running
    if (!entry.fenced) await entry.producer.disconnect().catch(() => undefined)
  }
}

/** connect, then InitProducerId with the transactional id: kafkajs sends it at the first transaction(). */
async function initialise(producer: Producer): Promise<void> {
  await producer.connect()
  const txn = await producer.transaction()
  // Nothing was added to it: kafkajs ends it locally, without an EndTxn request.
  await txn.abort()
}

/** Outputs per sendBatch call: half of the broker's default message.max.bytes. */
const CHUNK_BYTES = 512 * 1024

const sizeOf = (value: Uint8Array | string | null): number => (value === null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength)

/** `records` in order, cut where a chunk's approximate size would pass `maxBytes` (at least one record each). */
export function chunks(records: readonly OutputRecord[], maxBytes: number): OutputRecord[][] {
  const out: OutputRecord[][] = []
  let current: OutputRecord[] = []
  let bytes = 0
  for (const record of records) {
    // Key, value, headers, and the per-record overhead of the batch format.
    const size = sizeOf(record.key) + sizeOf(record.value) + record.headers.reduce((n, h) => n + h.key.length + sizeOf(h.value), 0) + 32
    if (current.length > 0 && bytes + size > maxBytes) {
      out.push(current)
      current = []
      bytes = 0
    }
    current.push(record)
    bytes += size
  }
  if (current.length > 0) out.push(current)
  return out
}

function byTopic(records: readonly OutputRecord[]): TopicMessages[] {
  const grouped = new Map<string, Message[]>()
  for (const record of records) {
    let messages = grouped.get(record.topic)
    if (messages === undefined) grouped.set(record.topic, (messages = []))
    messages.push({
      key: toKafkajs(record.key),
      value: toKafkajs(record.value),
      ...(record.partition === undefined ? {} : { partition: record.partition }),
      headers: headersToKafkajs(record.headers.map(({ key, value }) => ({ key, value: typeof value === 'string' ? Buffer.from(value) : value }))),
    })
  }
  return [...grouped].map(([topic, messages]) => ({ topic, messages }))
}

const toKafkajs = (bytes: Uint8Array | string | null): Buffer | string | null =>
  bytes === null || typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
