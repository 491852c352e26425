import {
  checkTopicsExist,
  commitOffsetFromNumber,
  commitOffsetToNumber,
  deadLetterMessage,
  matchesRdkafkaCommitReport,
  topicPartitionKey,
  queryRdkafkaGroupOffsets,
  queryRdkafkaLogOffsets,
  type ClientPort,
  type CommitEngine,
  type CommitRequest,
  type ConsumedRecord,
  type ConsumerDriver,
  type OutputRecord,
  type DeadLetterTopicOption,
  type PartitionOffset,
  type RdkafkaMetadataQuery,
  type RdkafkaOffsetQueries,
  type TopicPartition,
} from '@offsetkit/commit-core'
import { ClientNotRunningError } from '@offsetkit/commit-core/adapter'
import type { KafkaJS } from '@confluentinc/kafka-javascript'
import { buildConsumerConfig, type ConfluentRebalanceCallback } from './build-consumer-config.js'
import { classifyConfluentCommitError } from './classify-confluent-error.js'
import { confluentStartError } from './confluent-start-error.js'
import { headersToConfluent, recordFromConfluent } from './confluent-records.js'
import type { ConfluentTransactionOption } from './check-transaction-options.js'
import { TransactionalProducer } from './transactional-producer.js'

type Message = KafkaJS.KafkaMessage

/**
 * Where failed records go (`failure.then: 'dead-letter'`): a connected KafkaJS-API producer, except
 * in mode 'transactional', where the consumer's transactional producer sends them.
 */
export interface ConfluentDeadLetter {
  /** A connected KafkaJS-API producer (`kafka.producer()`); absent in mode 'transactional'. */
  readonly producer?: KafkaJS.Producer
  /** Where dead letters go. Default `<topic>.dlq`. */
  readonly topic?: DeadLetterTopicOption
}

/** What the driver is built with besides the consumer config (checked by offsetkitConfluent). */
export interface ConfluentDriverOptions {
  readonly deadLetter?: ConfluentDeadLetter | undefined
  /** Present in mode 'transactional' only. */
  readonly transaction?: ConfluentTransactionOption | undefined
  /** What the port declares as `capabilities.transactions`: a transaction option was given. */
  readonly transactions: boolean
}

type CommitList = Array<{ topic: string; partition: number; offset: number; leaderEpoch?: number; metadata?: string }>

/** The slice of the consumer's internal rdkafka-API client the driver uses (not in the client's types). */
interface InternalClient extends RdkafkaOffsetQueries, RdkafkaMetadataQuery {
  isConnected(): boolean
  commitSync(offsets: CommitList): void
  /** Only enqueues (librdkafka's commitAsync); the broker's answer is an 'offset.commit' event. */
  commit(offsets: CommitList): void
  on(event: 'offset.commit', listener: (error: unknown, partitions: unknown[] | undefined) => void): void
  position(partitions: TopicPartition[]): Array<{ topic: string; partition: number; offset?: number }>
  pause(partitions: TopicPartition[]): void
  resume(partitions: TopicPartition[]): void
}

type ConsumerWithInternals = KafkaJS.Consumer & { _getInternalClient(): InternalClient | undefined }

const ERR__ASSIGN_PARTITIONS = -175
const ERR__REVOKE_PARTITIONS = -174

/** An async commit sent and not yet answered. */
interface PendingCommit {
  readonly list: CommitList
  readonly offsets: ReadonlyMap<string, number>
  resolve(): void
  reject(error: unknown): void
}

/**
 * How long an async commit waits for its 'offset.commit' event before it fails as timed out
 * (retriable: core tries again, and reports `commit.stalled` if that goes on). Never settled by
 * commitSync instead: librdkafka's commitSync has no timeout and blocks the JS thread until the
 * coordinator answers. With the coordinator away that was the whole process frozen — no records,
 * no events, no logs, no health() — and under KIP-848 for good: the fenced member's lost
 * partitions wait for a poll on that same blocked thread, so the commit never completes (seen
 * after a 35 s broker freeze: three consumers stuck in commitSync for 5+ minutes).
 */
const ASYNC_COMMIT_ANSWER_MS = 30_000
/** librdkafka's ERR__TIMED_OUT: what an async commit without an answer fails with (retriable). */
const ERR__TIMED_OUT = -185


/**
 * Drives @confluentinc/kafka-javascript's KafkaJS API. Three things it cannot take from that API:
 * - commit acknowledgement: `commitOffsets` resolves once the commit is queued and broker errors
 *   never reach it. Revoke and close commits (and any sent inside a rebalance callback) go through
 *   the internal client's `commitSync`, which returns after the broker replied and throws its
 *   error code; the others through its `commit` (librdkafka's commitAsync, so the event loop is
 *   not blocked), settled by the matching 'offset.commit' event the consume loop delivers;
 * - fetch positions: the internal client's `position()` steps the watermark over transaction
 *   markers and compacted offsets that are never delivered;
 * - pause/resume: the KafkaJS API's `pause()` drops the partition's prefetched run from its cache
 *   and seeks back only to an offset resolved since the last seek. A run none of which was handed
 *   out yet (another partition's batch filled the in-flight bound and core paused them all) was
 *   dropped with librdkafka's position already past it: that partition never delivered again.
 *   librdkafka's own pause leaves the cache alone (its records still arrive, so a bound can be
 *   passed by what was already fetched) and refetches from after the last message it handed over.
 */
export class ConfluentDriver implements ConsumerDriver<Message> {
  readonly port: ClientPort<Message>
  private readonly consumer: ConsumerWithInternals
  private readonly maxBatchSize: number | undefined
  /** Kept to scrub its secrets from the client's connect errors. */
  private readonly config: unknown
  private engine: CommitEngine<Message> | undefined
  private fetching = false
  /** connect() was called: only then may disconnect() be (the client throws a TypeError otherwise). */
  private connecting = false
  /** The KafkaJS API's consume loop runs: 'offset.commit' events are delivered. */
  private consuming = false
  /** Rebalance callbacks in progress: the client awaits them, and may not deliver events meanwhile. */
  private rebalancing = 0
  private pending: PendingCommit | undefined
  /** What start() subscribed to (the group check asks about these topics' partitions). */
  private topics: readonly string[] = []
  /** Mode 'transactional': produces the outputs and commits the offsets in one transaction. */
  private readonly transactional: TransactionalProducer | undefined
  private readonly producerConfig: unknown

  constructor(kafka: KafkaJS.Kafka, config: unknown, { deadLetter, transaction, transactions }: ConfluentDriverOptions) {
    this.config = config
    this.producerConfig = transaction?.producerConfig
    this.transactional = transaction && new TransactionalProducer(() => kafka.producer({
      ...transaction.producerConfig,
      'transactional.id': transaction.id,
      'enable.idempotence': true,
    }))
    const rebalance: ConfluentRebalanceCallback = (error, assignment, fns) => this.rebalanced(error.code, assignment, fns.assignmentLost())
    const built = buildConsumerConfig(config, rebalance)
    this.maxBatchSize = built.maxBatchSize
    this.consumer = kafka.consumer(built.config) as ConsumerWithInternals
    this.port = {
      // commitSync sends per-partition leaderEpoch and metadata (read by the native TopicPartition conversion).
      capabilities: { leaderEpoch: true, commitMetadata: true, transactions },
      commit: (request) => this.commit(request),
      classifyCommitError: classifyConfluentCommitError,
      // librdkafka's own pause and resume, not the KafkaJS API's (see the class comment).
      pause: (partitions) => this.internal('nothing was paused').pause(partitions.map(({ topic, partition }) => ({ topic, partition }))),
      resume: (partitions) => this.internal('nothing was resumed').resume(partitions.map(({ topic, partition }) => ({ topic, partition }))),
      // Liveness: where a silent partition ends and starts, so one never consumed cannot hide.
      queryEndOffsets: (partitions) => queryRdkafkaLogOffsets(this.internal('nothing was queried'), partitions, autoOffsetReset(config)),
      // And of the whole group's partitions, so one that no member moves cannot hide either.
      queryGroupOffsets: () => queryRdkafkaGroupOffsets(this.internal('nothing was queried'), this.topics, autoOffsetReset(config)),
      // Transactional: the dead letter is an output of the failed record, in its commit's transaction.
      ...(transaction && {
        deadLetterOutput: (record, error, attempts): OutputRecord => {
          const message = deadLetterMessage(record as ConsumedRecord, error, attempts, deadLetter?.topic)
          return { ...message, headers: [...message.headers] }
        },
      }),
      ...(transaction === undefined && deadLetter?.producer && {
        deadLetter: async (record, error, attempts) => {
          const message = deadLetterMessage(record as ConsumedRecord, error, attempts, deadLetter.topic)
          // acks come from the producer's config: this client's send() rejects an `acks` option.
          await deadLetter.producer?.send({
            topic: message.topic,
            messages: [{
              key: message.key === null ? null : Buffer.from(message.key),
              value: message.value === null ? null : Buffer.from(message.value),
              headers: headersToConfluent(message.headers),
            }],
          })
        },
      }),
      // No storeOffsets: commit 'auto' needs the client's offset store to hold the watermark, but the
      // KafkaJS API writes delivered+1 into that store on every batch (it must, or it seeks back and
      // redelivers), so librdkafka's auto-commit could pass unfinished records.
    }
  }

  private internal(what = 'the commit was not sent'): InternalClient {
    const internal = this.consumer._getInternalClient()
    if (internal === undefined || !internal.isConnected()) throw new ClientNotRunningError(`the confluent consumer is not connected; ${what}`)
    return internal
  }

  private async commit(request: CommitRequest): Promise<void> {
    // One transaction; it does not wait for consumer events, so it also runs inside a rebalance callback.
    if (this.transactional !== undefined) return this.transactional.commit(request, this.internal())
    const { offsets, reason } = request
    // Numbers, never strings: the native layer reads a string offset as 0 and rewinds the group.
    const list = offsets.map(({ topic, partition, offset, leaderEpoch, metadata }) => ({
      topic,
      partition,
      offset: commitOffsetToNumber(offset),
      ...(leaderEpoch === undefined ? {} : { leaderEpoch }),
      ...(metadata === undefined ? {} : { metadata }),
    }))
    const internal = this.internal()
    if (reason === 'revoke' || !this.consuming || this.rebalancing > 0) {
      // Blocks the event loop for one broker round trip, and needs no event: safe inside the
      // rebalance callback (checked against a broker: no deadlock), where revoke commits run.
      // The close commit takes the evented path below: with the coordinator away commitSync
      // would block the event loop (and close's closeTimeoutMs) for librdkafka's own timeouts.
      internal.commitSync(list)
      return
    }
    if (this.pending !== undefined) throw new Error('offsetkit: an async commit is already in flight (core sends one at a time)')
    // Enqueue, and settle on the broker's answer (the matching 'offset.commit' event).
    await new Promise<void>((resolve, reject) => {
      const fallback = setTimeout(() => this.unanswered(pending), ASYNC_COMMIT_ANSWER_MS)
      const pending: PendingCommit = {
        list,
        offsets: new Map(list.map((e) => [topicPartitionKey(e.topic, e.partition), e.offset])),
        resolve: () => {
          clearTimeout(fallback)
          resolve()
        },
        reject: (error) => {
          clearTimeout(fallback)
          reject(error)
        },
      }
      this.pending = pending
      try {
        internal.commit(list)
      } catch (error) {
        this.pending = undefined
        pending.reject(error)
      }
    })
  }

  private commitReported(error: unknown, partitions: readonly unknown[] | undefined): void {
    const pending = this.pending
    const failed = error !== undefined && error !== null
    if (pending === undefined || !matchesRdkafkaCommitReport(pending.offsets, partitions ?? [], failed)) return
    this.pending = undefined
    if (failed) pending.reject(error)
    else pending.resolve()
  }

  /** The pending async commit got no answer in time: it fails as timed out; a late report is ignored. */
  private unanswered(pending: PendingCommit): void {
    if (this.pending !== pending) return
    this.pending = undefined
    pending.reject(Object.assign(new Error(`no answer to the offset commit within ${ASYNC_COMMIT_ANSWER_MS} ms`), { code: ERR__TIMED_OUT }))
  }

  /**
   * Settles a pending async commit by sending the same offsets with commitSync (idempotent: nothing
   * newer was sent meanwhile, core keeps one commit in flight). Only where its event cannot come:
   * a revoke's rebalance callback, which the client awaits (the coordinator that just told this
   * member to revoke is there to answer).
   */
  private settleBySync(pending: PendingCommit | undefined): void {
    if (pending === undefined || this.pending !== pending) return
    this.pending = undefined
    try {
      this.internal().commitSync(pending.list)
      pending.resolve()
    } catch (error) {
      pending.reject(error)
    }
  }

  private async rebalanced(code: number, assignment: ReadonlyArray<TopicPartition>, lost: boolean): Promise<void> {
    this.rebalancing++
    try {
      await this.rebalancedNow(code, assignment, lost)
    } finally {
      this.rebalancing--
    }
  }

  private async rebalancedNow(code: number, assignment: ReadonlyArray<TopicPartition>, lost: boolean): Promise<void> {
    const engine = this.engine
    if (engine === undefined) return
    // The client awaits this callback and delivers no 'offset.commit' meanwhile: an async commit
    // still in flight would hold up the revoke's own commit (one at a time) until its fallback.
    if (code === ERR__REVOKE_PARTITIONS && !lost) this.settleBySync(this.pending)
    const partitions = assignment.map(({ topic, partition }) => ({ topic, partition }))
    // The client awaits this callback before it (incrementally) assigns or unassigns, so revoke's
    // drain-and-commit finishes while this member still owns the partitions. With cooperative
    // rebalancing `assignment` lists only the partitions that move.
    if (code === ERR__ASSIGN_PARTITIONS) engine.assigned(partitions)
    else if (code === ERR__REVOKE_PARTITIONS) {
      if (lost) engine.lost(partitions)
      else await engine.revoked(partitions)
    }
  }

  async start(engine: CommitEngine<Message>, topics: readonly string[]): Promise<void> {
    this.topics = [...topics]
    this.engine = engine
    try {
      // First: init_transactions aborts what an earlier instance with this id left open, so the
      // offsets this consumer is assigned are settled (read_committed fetches wait for them).
      await this.transactional?.connect()
    } catch (error) {
      throw confluentStartError(error, this.producerConfig, [], 'transaction.producerConfig')
    }
    this.connecting = true
    try {
      await this.consumer.connect()
      // The client subscribes to a missing topic without a word and idles: say so instead.
      if (!autoCreateTopics(this.config)) {
        await checkTopicsExist(topics, () => this.topicNames(), () => new Promise((resolve) => setTimeout(resolve, 300)))
      }
      this.internal('no commit can be acknowledged').on('offset.commit', (error, partitions) => this.commitReported(error, partitions))
      await this.consumer.subscribe({ topics: [...topics] })
    } catch (error) {
      // The KafkaJS API checks its config only here, and its messages can echo values.
      throw confluentStartError(error, this.config, topics)
    }
    this.fetching = true
    this.consuming = true
    // Returns at once; the group join happens in the background and reports through rebalance_cb.
    await this.consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        if (!this.fetching || batch.messages.length === 0) return
        const last = batch.messages[batch.messages.length - 1] as Message
        // "Delivered", not "done": unresolved batches are sought back and redelivered by the client.
        // The offset it stores is never committed (auto-commit is off; offsetkit commits explicit offsets).
        ;(resolveOffset as (offset: string, leaderEpoch?: number) => void)(last.offset, last.leaderEpoch)
        const position = this.fetchPosition(batch.topic, batch.partition, batch.messages.length)
        const records = batch.messages.map((m) => recordFromConfluent(batch.topic, batch.partition, m))
        engine.recordsArrived(records, position === undefined ? undefined : { fetchPositions: [position] })
        engine.batchEnd()
      },
    })
  }

  /**
   * librdkafka's position is the offset after the last message it handed to the KafkaJS layer's
   * cache, past any transaction markers or aborted records it skipped. It is only safe to report
   * when that cache holds nothing more of this partition, i.e. when the batch took the whole
   * cached run: always with unlimited batches, or when a limited batch came back short. One
   * worker (partitionsConsumedConcurrently 1) means no fetch refills the cache meanwhile.
   */
  private fetchPosition(topic: string, partition: number, batchLength: number): PartitionOffset | undefined {
    if (this.maxBatchSize !== undefined && batchLength >= this.maxBatchSize) return undefined
    const internal = this.consumer._getInternalClient()
    const [row] = internal?.position([{ topic, partition }]) ?? []
    const offset = row?.offset
    // OFFSET_INVALID (-1001) and friends: nothing known.
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return undefined
    return { topic, partition, offset: commitOffsetFromNumber(offset) }
  }

  /** Every topic in the cluster (one metadata request through the internal client). */
  private topicNames(): Promise<string[]> {
    const internal = this.internal('the topics were not checked')
    return new Promise((resolve, reject) => {
      internal.getMetadata({ timeout: 30_000 }, (error, metadata) => (error ? reject(error) : resolve(metadata.topics.map((t) => t.name))))
    })
  }

  async stopFetching(): Promise<void> {
    // Hand nothing more to the engine; membership stays so the final commit is still valid.
    this.fetching = false
  }

  async disconnect(): Promise<void> {
    this.fetching = false
    this.consuming = false
    const pending = this.pending
    this.pending = undefined
    pending?.reject(new ClientNotRunningError('the consumer disconnected before the commit result arrived'))
    try {
      // Core committed before this: during disconnect the client rejects commits (ERR__STATE, #90).
      if (this.connecting) await this.consumer.disconnect()
    } finally {
      await this.transactional?.disconnect()
    }
  }
}

/**
 * Whether the user asked, in so many words, for topics to be created on subscribe (the KafkaJS
 * API's own default is true, so only an explicit setting counts): then offsetkit does not check.
 */
function autoCreateTopics(config: unknown): boolean {
  const c = config as { 'allow.auto.create.topics'?: unknown; kafkaJS?: { allowAutoTopicCreation?: unknown } }
  const top = c['allow.auto.create.topics']
  return top === true || top === 'true' || c.kafkaJS?.allowAutoTopicCreation === true
}

/** Where a group without a committed offset starts: librdkafka's key wins over the KafkaJS block. */
function autoOffsetReset(config: unknown): unknown {
  const c = config as { 'auto.offset.reset'?: unknown; kafkaJS?: { fromBeginning?: unknown } }
  return c['auto.offset.reset'] ?? (c.kafkaJS?.fromBeginning === true ? 'earliest' : 'latest')
}
