import {
  checkTopicsExist,
  commitOffsetFromNumber,
  commitOffsetToNumber,
  deadLetterMessage,
  consoleLogger,
  isOffsetkitError,
  matchesRdkafkaCommitReport,
  queryRdkafkaGroupOffsets,
  queryRdkafkaLogOffsets,
  redactSecrets,
  redactingLogger,
  secretValues,
  topicPartitionKey,
  type ClientPort,
  type CommitEngine,
  type CommitRequest,
  type ConsumedRecord,
  type ConsumerDriver,
  type DeadLetterTopicOption,
  type Logger,
  type PartitionOffset,
  type RdkafkaMetadataQuery,
  type RdkafkaOffsetQueries,
  type TopicPartition,
} from '@offsetkit/commit-core'
import { ClientNotRunningError } from '@offsetkit/commit-core/adapter'
import Kafka from 'node-rdkafka'
import type { Assignment, KafkaConsumer, LibrdKafkaError, Message, Producer, TopicPartitionOffset } from 'node-rdkafka'
import { BatchSizer } from './batch-sizer.js'
import { classifyNodeRdkafkaCommitError } from './classify-node-rdkafka-error.js'
import { nodeRdkafkaStartError } from './node-rdkafka-start-error.js'
import { NodeRdkafkaTransactions } from './node-rdkafka-transactions.js'
import { produceDeadLetter } from './produce-dead-letter.js'
import { recordFromNodeRdkafka } from './node-rdkafka-records.js'

const ERR__REVOKE_PARTITIONS = -174
const ERR__ASSIGN_PARTITIONS = -175

export interface NodeRdkafkaDriverOptions {
  readonly global: Record<string, unknown>
  readonly topic: Record<string, unknown>
  readonly batchSize: number
  readonly consumeTimeoutMs: number
  readonly autoCommit: boolean
  /** How long connecting (librdkafka's first metadata request) may take before run() rejects. */
  readonly connectTimeoutMs: number
  /** `allow.auto.create.topics` set: subscribe to missing topics and let the client create them. */
  readonly autoCreateTopics: boolean
  /** `producer` is undefined in transactional mode: dead letters are outputs of the transaction. */
  readonly deadLetter: { readonly producer: Producer | undefined; readonly topic?: DeadLetterTopicOption | undefined } | undefined
  /** `mode: 'transactional'`: the config of the transactional producer (checked). */
  readonly producerConfig: Record<string, unknown> | undefined
  readonly logger: Logger | undefined
}

interface PendingCommit {
  readonly offsets: ReadonlyMap<string, number>
  resolve(): void
  reject(error: unknown): void
}

/** How long disconnect waits for librdkafka's close (Apache Kafka's Java consumer: 30 s). */
const CLOSE_TIMEOUT_MS = 30_000

/** Whether `promise` settled within `ms` (the timer does not keep the process alive). */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    timer.unref()
    promise.then(
      () => {
        clearTimeout(timer)
        resolve(true)
      },
      () => {
        clearTimeout(timer)
        resolve(true)
      },
    )
  })
}

const toClient = (partitions: readonly TopicPartition[]): TopicPartition[] =>
  partitions.map(({ topic, partition }) => ({ topic, partition }))

/**
 * Drives a node-rdkafka KafkaConsumer for core:
 * - a NON-flowing loop of `consume(n)`: one batch at a time, so `pause` bounds memory, and
 *   librdkafka's rebalance and offset-commit callbacks (served only inside a consume call) keep
 *   coming for as long as the consumer lives, including while a revoke is being handled;
 * - its own `rebalance_cb`, so partitions are released only after core committed them;
 * - `commitSync` for revoke and close commits, `commit` + the matching 'offset.commit' event for
 *   the others.
 */
export class NodeRdkafkaDriver implements ConsumerDriver<Message> {
  readonly port: ClientPort<Message>
  readonly consumer: KafkaConsumer
  private readonly logger: Logger
  /** The config's secret values, scrubbed from what the client says before it reaches logs or callers. */
  private readonly secrets: readonly string[]
  private engine: CommitEngine<Message> | undefined
  /** Partitions assigned and not being revoked: only these get fetch positions. */
  private readonly owned = new Map<string, TopicPartition>()
  /** Rebalance callbacks are handled one after the other, each to its (un)assign call. */
  private rebalances: Promise<void> = Promise.resolve()
  private connected = false
  private fetching = false
  private polling = false
  private loop: Promise<void> = Promise.resolve()
  /** Settles once the consume call in flight came back and its records went to core. */
  private batchInFlight: Promise<void> = Promise.resolve()
  private pending: PendingCommit | undefined
  /** What start() subscribed to (the group check asks about these topics' partitions). */
  private topics: readonly string[] = []
  /** `mode: 'transactional'`: commits are producer transactions. */
  private readonly transactions: NodeRdkafkaTransactions | undefined
  /** The transactional commit in flight: the consumer is disconnected only after it settled. */
  private transacting: Promise<void> = Promise.resolve()

  constructor(private readonly options: NodeRdkafkaDriverOptions) {
    this.secrets = [...secretValues(options.global), ...secretValues(options.topic), ...secretValues(options.producerConfig)]
    // librdkafka's messages can quote the config it was given, credentials included.
    this.logger = redactingLogger(options.logger ?? consoleLogger('warn'), this.secrets)
    // Creating the client validates the librdkafka config but does not connect yet.
    this.consumer = new Kafka.KafkaConsumer(
      {
        ...options.global,
        // A function (not `true`): node-rdkafka then leaves (un)assign to us, so the partitions
        // stay ours until core's revoke commit is done. It is not awaited, hence the chain.
        rebalance_cb: (error: LibrdKafkaError | undefined, assignment: Assignment[]) => {
          this.rebalances = this.rebalances
            .then(() => this.rebalance(error?.code, assignment))
            .catch((thrown: unknown) => this.logger.error('rebalance handling failed', { error: String(thrown) }))
        },
        offset_commit_cb: true,
      },
      options.topic,
    )
    this.transactions = options.producerConfig === undefined ? undefined : new NodeRdkafkaTransactions({
      producerConfig: options.producerConfig,
      connectTimeoutMs: options.connectTimeoutMs,
      logger: this.logger,
      onFailed: (error) => this.transactionsFailed(error),
    })
    const dead = options.deadLetter
    const deadProducer = dead?.producer
    this.port = {
      capabilities: { leaderEpoch: false, commitMetadata: false, transactions: this.transactions !== undefined },
      commit: (request) => this.commit(request),
      classifyCommitError: classifyNodeRdkafkaCommitError,
      pause: (partitions) => this.consumer.pause(toClient(partitions)),
      resume: (partitions) => this.consumer.resume(toClient(partitions)),
      ...(deadProducer && {
        deadLetter: (record, error, attempts) =>
          produceDeadLetter(deadProducer, deadLetterMessage(record as ConsumedRecord, error, attempts, dead.topic)),
      }),
      ...(this.transactions && {
        // Produced in the transaction that commits past the record: exactly once, like any output.
        deadLetterOutput: (record, error, attempts) => {
          const { topic, key, value, headers } = deadLetterMessage(record as ConsumedRecord, error, attempts, dead?.topic)
          return { topic, key, value, headers }
        },
      }),
      // Liveness: where a silent partition ends and starts, so one never consumed cannot hide.
      queryEndOffsets: (partitions) =>
        queryRdkafkaLogOffsets(this.consumer as unknown as RdkafkaOffsetQueries, partitions, options.topic['auto.offset.reset']),
      // And of the whole group's partitions, so one that no member moves cannot hide either.
      queryGroupOffsets: () =>
        queryRdkafkaGroupOffsets(this.consumer as unknown as RdkafkaOffsetQueries & RdkafkaMetadataQuery, this.topics, options.topic['auto.offset.reset']),
      ...(options.autoCommit && {
        // Stored as given (librdkafka adds no "+1"): core's entries are already next-to-read.
        storeOffsets: (entries) => {
          this.consumer.offsetsStore(entries.map(({ topic, partition, offset }) => ({ topic, partition, offset: commitOffsetToNumber(offset) })))
        },
      }),
    }
  }

  async start(engine: CommitEngine<Message>, topics: readonly string[]): Promise<void> {
    this.topics = [...topics]
    this.engine = engine
    this.consumer.on('offset.commit', (error, partitions) => this.commitReported(error, partitions))
    this.consumer.on('event.error', (error) => this.logger.warn('librdkafka error', { code: error.code, error: error.message }))
    try {
      // The producer first: initTransactions fences an earlier instance with the same
      // transactional.id and settles its open transaction before this one reads any offset.
      await this.transactions?.start()
      await new Promise<void>((resolve, reject) => {
        this.consumer.connect({ timeout: this.options.connectTimeoutMs }, (error) => (error ? reject(error) : resolve()))
      })
      this.connected = true
      // librdkafka subscribes to a missing topic without a word and idles: say so instead.
      if (!this.options.autoCreateTopics) await checkTopicsExist(topics, () => this.topicNames(), () => new Promise((r) => setTimeout(r, 300)))
    } catch (error) {
      throw isOffsetkitError(error) ? error : nodeRdkafkaStartError(error, topics, this.secrets)
    }
    this.consumer.setDefaultConsumeTimeout(this.options.consumeTimeoutMs)
    this.consumer.subscribe([...topics])
    this.fetching = true
    this.polling = true
    this.loop = this.consumeLoop()
  }

  /** Every topic in the cluster (one metadata request). */
  private topicNames(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.consumer.getMetadata({ timeout: this.options.connectTimeoutMs }, (error, metadata) =>
        error ? reject(error) : resolve(metadata.topics.map((topic) => topic.name)))
    })
  }

  async stopFetching(): Promise<void> {
    // The consume loop keeps running until disconnect: pending async commit results and
    // rebalance callbacks are only delivered while it does. Records are no longer handed over.
    this.fetching = false
    if (this.owned.size === 0) return
    try {
      this.consumer.pause([...this.owned.values()])
    } catch (error) {
      this.logger.debug('pause on stop failed', { error: String(error) })
    }
  }

  async disconnect(): Promise<void> {
    this.fetching = false
    this.polling = false
    await this.loop
    const pending = this.pending
    this.pending = undefined
    pending?.reject(new ClientNotRunningError('the consumer disconnected before the commit result arrived'))
    // sendOffsetsToTransaction reads the consumer's group metadata on a worker thread, unlocked:
    // the consumer must outlive it.
    await this.transacting
    if (!this.connected) return this.transactions?.close()
    this.connected = false
    // librdkafka's close revokes through our rebalance_cb; node-rdkafka allows the unassign while
    // it is closing, so the chain above completes it.
    // Bounded, as Apache Kafka's Java consumer bounds close (30 s): librdkafka's close can wait
    // for ever on a rebalance it cannot finish (seen after a fenced transactional producer: an
    // assign during close refused with ERR__STATE). A close that never returns is worse than one
    // that says so and lets the process go on.
    const closed = new Promise<void>((resolve) => {
      this.consumer.disconnect((error: unknown) => {
        if (error) this.logger.warn('disconnect failed', { error: String(error) })
        resolve()
      })
    })
    const finished = await settlesWithin(closed.then(() => this.rebalances), CLOSE_TIMEOUT_MS)
    if (!finished) this.logger.warn(`librdkafka did not finish closing within ${CLOSE_TIMEOUT_MS} ms; giving up on it (its group membership ends with its session)`)
    // After the final commit (close) and the revoke commits of the consumer's close.
    await this.transactions?.close()
  }

  // ---------------------------------------------------------------- fetching

  private consumeLoop(): Promise<void> {
    return new Promise((resolve) => {
      const sizer = new BatchSizer(this.options.batchSize)
      const next = (): void => {
        if (!this.polling) return resolve()
        let settle!: () => void
        this.batchInFlight = new Promise<void>((r) => (settle = r))
        const size = sizer.size
        const startedAt = performance.now()
        try {
          this.consumer.consume(size, (error, messages) => {
            if (error) {
              settle()
              this.logger.warn('consume failed', { code: error.code, error: error.message })
              // Do not spin on an error that returns at once.
              setTimeout(next, this.options.consumeTimeoutMs)
              return
            }
            sizer.returned(messages.length, performance.now() - startedAt)
            this.arrived(messages)
            settle()
            next()
          })
        } catch (error) {
          settle()
          // Nothing more will be consumed: say so (event, health 'failed'), never idle quietly.
          this.engine?.clientFailed(redactSecrets(error, { secrets: this.secrets }), { restarting: false })
          resolve()
        }
      }
      next()
    })
  }

  private arrived(messages: readonly Message[]): void {
    const engine = this.engine
    if (!this.fetching || engine === undefined) return
    try {
      // Records of partitions no longer owned go to core too: it drops them ('not-assigned').
      engine.recordsArrived(messages.map(recordFromNodeRdkafka), { fetchPositions: this.fetchPositions() })
      // Also after an empty fetch: the positions may have moved past transaction markers.
      engine.batchEnd()
    } catch (error) {
      this.logger.error('handing records to the engine failed', { error: String(error) })
    }
  }

  /**
   * librdkafka's position is the next offset after the last record it handed out, and it moves
   * past transaction markers and aborted records. It is read after the batch came back and
   * before the next consume starts, so it never runs ahead of records core has not seen.
   * Partitions being revoked are left out: their late records are dropped by core, and a
   * position past them would commit records nobody processed.
   */
  private fetchPositions(): PartitionOffset[] | undefined {
    if (this.owned.size === 0) return undefined
    let positions: TopicPartitionOffset[]
    try {
      positions = this.consumer.position([...this.owned.values()])
    } catch (error) {
      this.logger.debug('position failed', { error: String(error) })
      return undefined
    }
    const result: PartitionOffset[] = []
    for (const { topic, partition, offset } of positions) {
      // offset is absent (or a negative logical offset) until the partition has delivered.
      if (typeof offset !== 'number' || offset < 0 || !this.owned.has(topicPartitionKey(topic, partition))) continue
      result.push({ topic, partition, offset: commitOffsetFromNumber(offset) })
    }
    return result
  }

  // ---------------------------------------------------------------- rebalancing

  private async rebalance(code: number | undefined, assignment: Assignment[]): Promise<void> {
    const partitions = toClient(assignment)
    if (code === ERR__ASSIGN_PARTITIONS) {
      // node-rdkafka's consume(n) gathers a batch on a worker thread, across rebalances: the call
      // in flight may hold records of these partitions fetched under an EARLIER assignment (before
      // a revoke). They must reach core while the partitions are not ours, so core drops them;
      // accepted under the new assignment they would be processed again (another member had them).
      // Nothing of the new assignment can be in that call: librdkafka fetches only after assign.
      await this.batchInFlight
      for (const p of partitions) this.owned.set(topicPartitionKey(p.topic, p.partition), p)
      // Core first, so the first records of these partitions are accepted.
      this.engine?.assigned(partitions)
      this.client('assign', () => (this.cooperative() ? this.consumer.incrementalAssign(assignment) : this.consumer.assign(assignment)))
      return
    }
    for (const p of partitions) this.owned.delete(topicPartitionKey(p.topic, p.partition))
    if (code === ERR__REVOKE_PARTITIONS) {
      // Drain and commit while the partitions are still ours; the consume loop keeps polling
      // meanwhile (an async commit in flight needs it; the revoke commit itself is commitSync).
      // A lost assignment arrives here too (node-rdkafka has no assignmentLost()): its commit
      // fails as fenced and core drops it.
      await this.engine?.revoked(partitions)
    } else {
      this.logger.error('rebalance error; dropping the assignment', { code })
      this.engine?.lost(partitions)
    }
    this.client('unassign', () => (this.cooperative() && code === ERR__REVOKE_PARTITIONS ? this.consumer.incrementalUnassign(assignment) : this.consumer.unassign()))
  }

  private cooperative(): boolean {
    return this.consumer.rebalanceProtocol() === 'COOPERATIVE'
  }

  /** (Un)assign may throw once the consumer is disconnected; there is nothing left to release then. */
  private client(what: string, call: () => unknown): void {
    try {
      call()
    } catch (error) {
      this.logger.warn(`${what} failed`, { error: String(error) })
    }
  }

  // ---------------------------------------------------------------- commits

  private commit(request: CommitRequest): Promise<void> {
    const transactions = this.transactions
    if (transactions === undefined) return this.commitOffsets(request)
    if (!this.connected || !this.consumer.isConnected()) {
      // Nothing begun. Its group metadata is gone with the consumer: this member owns nothing.
      return Promise.reject(new ClientNotRunningError('the consumer is not connected: no transaction can commit its offsets'))
    }
    const done = transactions.commit(request.offsets, request.outputs ?? [], this.consumer)
    this.transacting = done.catch(() => undefined)
    return done
  }

  /**
   * The transactional producer is unusable (it is not recreated; see NodeRdkafkaTransactions):
   * records stop going to core, and the consumer reports that it failed.
   */
  private transactionsFailed(error: Error): void {
    this.fetching = false
    try {
      if (this.owned.size > 0) this.consumer.pause([...this.owned.values()])
    } catch (thrown) {
      this.logger.debug('pause after the producer failed', { error: String(thrown) })
    }
    this.engine?.clientFailed(redactSecrets(error, { secrets: this.secrets }), { restarting: false })
  }

  private async commitOffsets({ offsets, reason }: CommitRequest): Promise<void> {
    // commitOffsetToNumber: librdkafka reads a non-number offset as 0 and would rewind the group.
    const list = offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: commitOffsetToNumber(offset) }))
    if (reason === 'revoke' || reason === 'close' || !this.polling) {
      // Blocks the JS thread until the broker replied and throws the LibrdKafkaError; it needs
      // no poll, so it is safe inside a rebalance and after the consume loop stopped. Elsewhere
      // (per-message sync included) it would also wait for the consume worker holding the
      // client, stalling the event loop: the evented path below is acknowledged just the same.
      this.consumer.commitSync(list)
      return
    }
    if (this.pending !== undefined) throw new Error('offsetkit: an async commit is already in flight (core sends one at a time)')
    await new Promise<void>((resolve, reject) => {
      this.pending = { offsets: new Map(list.map((e) => [topicPartitionKey(e.topic, e.partition), e.offset])), resolve, reject }
      try {
        // Only enqueues; the broker's answer comes back as an 'offset.commit' event.
        this.consumer.commit(list)
      } catch (error) {
        this.pending = undefined
        reject(error)
      }
    })
  }

  private commitReported(error: LibrdKafkaError | undefined, partitions: readonly unknown[] | undefined): void {
    const pending = this.pending
    if (pending === undefined || !matchesRdkafkaCommitReport(pending.offsets, partitions ?? [], error !== undefined && error !== null)) return
    this.pending = undefined
    if (error) pending.reject(error)
    else pending.resolve()
  }
}
