import {
  commitOffsetFromString,
  groupByTopic,
  topicPartitionKey,
  deadLetterMessage,
  nextOffsetAfter,
  offsetFromString,
  type ClientPort,
  type CommitEngine,
  type CommitRequest,
  type ConsumedRecord,
  type ConsumerDriver,
  type DeadLetterTopicOption,
  type LogOffsets,
  type PartitionOutputs,
  type TopicPartition,
} from '@offsetkit/commit-core'
import { ClientNotRunningError } from '@offsetkit/commit-core/adapter'
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs'
import { classifyKafkajsCommitError, isTransientKafkajsCrash } from './classify-kafkajs-error.js'
import { kafkajsStartError } from './kafkajs-start-error.js'
import { headersToKafkajs, recordFromKafkajs } from './kafkajs-records.js'
import { KafkajsTransactions, type KafkajsTransactionOptions } from './kafkajs-transactions.js'

/**
 * kafkajs has no revoke hook it awaits and only eager rebalancing. So: commit the done watermark
 * when a rebalance starts (REBALANCING; kafkajs does not wait for it, but the commit is sent with
 * the still-valid generation before the rejoin), and on GROUP_JOIN treat partitions that moved away
 * as lost — committing them after the rejoin could overwrite the new owner's commit.
 */
export class KafkajsDriver implements ConsumerDriver<KafkaMessage> {
  readonly port: ClientPort<KafkaMessage>
  private running = false
  /** Set when kafkajs crashed without restarting: the consumer consumes nothing more. */
  private dead: Error | undefined
  private owned = new Map<string, TopicPartition>()
  private topics: readonly string[] = []
  /** Set by start(): the engine the driver reports to (transactional fencing happens outside its callbacks). */
  private engine: CommitEngine<KafkaMessage> | undefined
  private readonly detach: Array<() => void> = []
  /** Transactional mode: one producer per input partition (kafkajs-transactions.ts). */
  private readonly transactions: KafkajsTransactions | undefined
  /** Transactional mode: reads the committed offsets of partitions once they are fenced. */
  private admin: Promise<Admin> | undefined
  private groupId: string | undefined
  /** Assigned partitions held paused until their producer fenced the previous owner's (value: the fence's token). */
  private readonly fencing = new Map<string, object>()
  /** Partitions core paused: a finished fence must not resume them. */
  private readonly pausedByCore = new Set<string>()
  /** What run() was given: the adapter starts kafkajs again with it after a transient crash. */
  private runConfig: Parameters<Consumer['run']>[0] | undefined
  /** Restarts since the last completed join (the backoff grows with it). */
  private restarts = 0
  private restartTimer: NodeJS.Timeout | undefined
  /** A restart under way: close() lets it finish connecting before it disconnects. */
  private restarting: Promise<void> | undefined
  private closing = false

  constructor(
    private readonly consumer: Consumer,
    private readonly options: {
      readonly fromBeginning: boolean
      readonly deadLetter: { readonly producer?: Producer | undefined; readonly topic?: DeadLetterTopicOption | undefined } | undefined
      readonly transaction?: KafkajsTransactionOptions | undefined
      /** The Kafka instance the consumer came from, for an admin client (the group check). */
      readonly kafka?: Kafka | undefined
    },
  ) {
    const dead = options.deadLetter
    const transaction = options.transaction
    const adminSource = options.kafka ?? transaction?.kafka
    this.transactions = transaction && new KafkajsTransactions(transaction, (tp) => this.fencedOut(tp))
    this.port = {
      capabilities: { leaderEpoch: false, commitMetadata: true, transactions: transaction !== undefined },
      commit: (request) => this.commit(request),
      classifyCommitError: classifyKafkajsCommitError,
      pause: (partitions) => {
        for (const tp of partitions) this.pausedByCore.add(topicPartitionKey(tp.topic, tp.partition))
        this.consumer.pause(groupByTopic(partitions))
      },
      resume: (partitions) => {
        for (const tp of partitions) this.pausedByCore.delete(topicPartitionKey(tp.topic, tp.partition))
        const resumable = partitions.filter((tp) => !this.fencing.has(topicPartitionKey(tp.topic, tp.partition)))
        if (resumable.length > 0) this.consumer.resume(groupByTopic(resumable))
      },
      // The group check: committed offsets of partitions this member does not own take an admin client.
      ...(adminSource && { queryGroupOffsets: () => this.queryGroupOffsets() }),
      ...(transaction && {
        // Produced in the transaction that commits past the failed record: exactly once.
        deadLetterOutput: (record, error, attempts) => deadLetterMessage(record as ConsumedRecord, error, attempts, dead?.topic),
      }),
      ...(dead?.producer && !transaction && {
        deadLetter: async (record, error, attempts) => {
          const message = deadLetterMessage(record as ConsumedRecord, error, attempts, dead.topic)
          await (dead.producer as Producer).send({
            topic: message.topic,
            acks: -1,
            messages: [{
              key: message.key === null ? null : Buffer.from(message.key),
              value: message.value === null ? null : Buffer.from(message.value),
              headers: headersToKafkajs(message.headers),
            }],
          })
        },
      }),
    }
  }

  private async commit({ offsets, outputs }: CommitRequest): Promise<void> {
    // kafkajs resolves commitOffsets with nothing done when its runner is stopped: say so instead.
    if (!this.running) throw new ClientNotRunningError('the kafkajs consumer is not running; the commit was not sent')
    if (outputs !== undefined) return this.commitTransactions(offsets, outputs)
    // kafkajs' promise settles with the broker's OffsetCommit response: the acknowledgement is real.
    await this.consumer.commitOffsets(offsets.map(({ topic, partition, offset, metadata }) => ({
      topic,
      partition,
      offset: offset.toString(),
      ...(metadata === undefined ? {} : { metadata }),
    })))
  }

  private async commitTransactions(offsets: CommitRequest['offsets'], outputs: readonly PartitionOutputs[]): Promise<void> {
    if (this.transactions === undefined || this.groupId === undefined) {
      throw new ClientNotRunningError('no transactional producers (the kafkajs adapter was given no transaction option, or has not joined)')
    }
    await this.transactions.commit(this.groupId, offsets, outputs)
  }

  /**
   * Transactional mode, newly assigned partitions: kafkajs reads their committed offsets at its
   * next fetch, but an earlier owner's transaction may still be open and commit later. So hold
   * them paused, initialise their producers (which aborts or completes any such transaction),
   * THEN read the committed offsets again and seek there, then resume.
   */
  private fenceAssigned(engine: CommitEngine<KafkaMessage>, added: readonly TopicPartition[]): void {
    const transactions = this.transactions
    const groupId = this.groupId
    if (transactions === undefined || groupId === undefined || added.length === 0) return
    const token = {}
    for (const tp of added) this.fencing.set(topicPartitionKey(tp.topic, tp.partition), token)
    // Synchronous inside GROUP_JOIN, before kafkajs' first fetch of the new generation.
    this.consumer.pause(groupByTopic(added))
    const current = (tp: TopicPartition): boolean => this.fencing.get(topicPartitionKey(tp.topic, tp.partition)) === token
    void (async () => {
      await Promise.all(added.map((tp) => transactions.fence(tp)))
      const admin = await this.connectAdmin()
      const fetched = await admin.fetchOffsets({ groupId, topics: [...new Set(added.map((tp) => tp.topic))] })
      for (const { topic, partitions } of fetched) {
        for (const { partition, offset } of partitions) {
          if (current({ topic, partition }) && /^\d+$/.test(offset)) this.consumer.seek({ topic, partition, offset })
        }
      }
    })().then(
      () => {
        const ready = added.filter(current)
        for (const tp of ready) this.fencing.delete(topicPartitionKey(tp.topic, tp.partition))
        const resumable = ready.filter((tp) => this.running && !this.pausedByCore.has(topicPartitionKey(tp.topic, tp.partition)))
        if (resumable.length > 0) this.consumer.resume(groupByTopic(resumable))
      },
      (error: unknown) => {
        // Consuming them without the fence could duplicate outputs: they stay paused.
        if (added.some(current)) engine.clientFailed(new Error('could not initialise the transactional producers of newly assigned partitions; they stay paused', { cause: error }), { restarting: false })
      },
    )
  }

  /**
   * `ClientPort.queryGroupOffsets`: every partition of the subscribed topics, its log end and the
   * group's committed offset (where `fromBeginning` puts a group without one). Nothing before the
   * first join (the group id comes with it); no `start` when the coordinator does not answer.
   */
  private async queryGroupOffsets(): Promise<LogOffsets[]> {
    const groupId = this.groupId
    if (groupId === undefined || this.topics.length === 0) return []
    const admin = await this.connectAdmin()
    const committed = await admin.fetchOffsets({ groupId, topics: [...this.topics] }).catch(() => undefined)
    const rows: LogOffsets[] = []
    for (const topic of this.topics) {
      const partitions = committed?.find((t) => t.topic === topic)?.partitions
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        const end = commitOffsetFromString(high)
        if (committed === undefined) {
          rows.push({ topic, partition, end })
          continue
        }
        const offset = partitions?.find((p) => p.partition === partition)?.offset
        // kafkajs says '-1' for a partition without a committed offset.
        const start = offset !== undefined && /^\d+$/.test(offset) ? offset : this.options.fromBeginning ? low : high
        rows.push({ topic, partition, end, start: commitOffsetFromString(start) })
      }
    }
    return rows
  }

  private connectAdmin(): Promise<Admin> {
    const kafka = this.options.kafka ?? this.options.transaction?.kafka
    if (kafka === undefined) return Promise.reject(new Error('no kafka option'))
    this.admin ??= (async () => {
      const admin = kafka.admin()
      await admin.connect()
      return admin
    })()
    // A failed connection is tried again by the next assignment.
    this.admin.catch(() => (this.admin = undefined))
    return this.admin
  }

  async start(engine: CommitEngine<KafkaMessage>, topics: readonly string[]): Promise<void> {
    try {
      await this.startClient(engine, topics)
    } catch (error) {
      throw kafkajsStartError(error, topics)
    }
  }

  private async startClient(engine: CommitEngine<KafkaMessage>, topics: readonly string[]): Promise<void> {
    const { events } = this.consumer
    this.engine = engine
    this.topics = topics
    this.detach.push(
      this.consumer.on(events.REBALANCING, () => {
        void engine.commit().catch(() => undefined) // failures are commit.failed events
      }),
      this.consumer.on(events.GROUP_JOIN, ({ payload }) => {
        // Also the end of a runner restart (see STOP): commits are valid again from here.
        this.running = true
        this.restarts = 0
        this.groupId = payload.groupId
        const next = new Map<string, TopicPartition>()
        for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
          for (const partition of partitions) next.set(topicPartitionKey(topic, partition), { topic, partition })
        }
        const gone = [...this.owned].filter(([k]) => !next.has(k)).map(([, tp]) => tp)
        const added = [...next].filter(([k]) => !this.owned.has(k)).map(([, tp]) => tp)
        this.owned = next
        this.fenceAssigned(engine, added)
        if (gone.length > 0) this.lose(engine, gone)
        // Called even with nothing new: a completed join is when core re-sends a commit that a
        // REBALANCE_IN_PROGRESS reply parked.
        engine.assigned(added)
      }),
      // Fires for every fetched batch, including ones holding only control records or aborted
      // transactions that never reach eachBatch: the fetch position moves past those gaps.
      this.consumer.on(events.END_BATCH_PROCESS, ({ payload }) => {
        if (!this.owned.has(topicPartitionKey(payload.topic, payload.partition))) return
        engine.positionAdvanced(payload, nextOffsetAfter(offsetFromString(payload.lastOffset)))
        // The fetch's high watermark: where the partition's log ends (liveness checks).
        if (/^\d+$/.test(payload.highWatermark)) {
          engine.endOffsetsKnown([{ topic: payload.topic, partition: payload.partition, offset: commitOffsetFromString(payload.highWatermark) }])
        }
      }),
      // A STOP we did not ask for is kafkajs' crash path: it stops its runner (leaving the group),
      // disconnects, then emits CRASH and, for a retriable error, starts a new runner that joins
      // as a NEW member and refetches from the broker's committed offsets. The old membership is
      // gone, so its partitions are lost (never committed: that could overwrite a new owner);
      // GROUP_JOIN after the restart assigns them afresh.
      this.consumer.on(events.STOP, () => {
        this.running = false
        const gone = [...this.owned.values()]
        this.owned = new Map()
        if (gone.length > 0) this.lose(engine, gone)
      }),
      this.consumer.on(events.CRASH, ({ payload }) => this.crashed(engine, payload.error, payload.restart)),
    )
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: this.options.fromBeginning })
    // run() resolves after the first join; fetching continues in the background.
    this.runConfig = {
      // With autoCommit off, kafkajs still needs resolved offsets to move its fetch position:
      // auto-resolve advances fetching; what gets committed is core's watermark alone.
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }: EachBatchPayload) => {
        const records = batch.messages.map((m) => recordFromKafkajs(batch.topic, batch.partition, m))
        engine.recordsArrived(records)
        engine.batchEnd()
      },
    }
    await this.consumer.run(this.runConfig)
    // kafkajs resolves run() after a crash it does not recover from: say so instead of idling.
    if (this.dead !== undefined) throw this.dead
  }

  /**
   * kafkajs' CRASH. For a retriable error it starts a new runner itself. For the errors it treats
   * as final although they are the cluster being briefly away — every broker failed the
   * coordinator lookup while a restarted broker loads its groups — it has disconnected and
   * stops for good: then the adapter connects and runs it again, with a growing backoff (1 s to
   * 30 s), for as long as that is the cause, and reports each as `client.failed` with
   * `restarting: true`. Anything else (authorization, configuration) leaves the client dead.
   */
  private crashed(engine: CommitEngine<KafkaMessage>, error: Error, restarting: boolean, ownRestart = false): void {
    if (restarting || this.closing) {
      engine.clientFailed(error, { restarting })
      return
    }
    // Our own restart failing to connect (the broker still away) is transient too; kafkajs'
    // restartOnFailure only speaks for the crashes kafkajs itself reports.
    const transient = isTransientKafkajsCrash(error) || (ownRestart && classifyKafkajsCommitError(error) === 'retriable')
    if (this.runConfig === undefined || !transient) {
      this.dead ??= error
      engine.clientFailed(error, { restarting: false })
      return
    }
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(this.restarts++, 5))
    engine.clientFailed(error, { restarting: true })
    clearTimeout(this.restartTimer)
    this.restartTimer = setTimeout(() => {
      this.restarting = this.restartClient(engine).finally(() => (this.restarting = undefined))
    }, delay)
  }

  private async restartClient(engine: CommitEngine<KafkaMessage>): Promise<void> {
    if (this.closing || this.runConfig === undefined) return
    try {
      // kafkajs disconnected on its crash; its subscription is kept.
      await this.consumer.connect()
      // close() came while connecting: it disconnects; running now would consume after it.
      if (this.closing) return
      await this.consumer.run(this.runConfig)
    } catch (error) {
      // Thrown rather than emitted as CRASH (connect refused while the broker is away).
      this.crashed(engine, error instanceof Error ? error : new Error(String(error)), false, true)
    }
  }

  /**
   * Transactional mode: a newer owner fenced this partition's producer (this member was a zombie:
   * frozen past its session, say). Its state here is stale (the new owner went on from the
   * committed offset), so it is lost now; if kafkajs keeps it assigned after its rejoin, the next
   * GROUP_JOIN finds it new again: a fresh producer fences in turn, and fetching restarts from the
   * committed offset.
   */
  private fencedOut(tp: TopicPartition): void {
    const key = topicPartitionKey(tp.topic, tp.partition)
    if (this.engine === undefined || !this.owned.has(key)) return
    this.owned.delete(key)
    this.lose(this.engine, [tp])
  }

  private lose(engine: CommitEngine<KafkaMessage>, gone: readonly TopicPartition[]): void {
    for (const tp of gone) {
      const key = topicPartitionKey(tp.topic, tp.partition)
      this.fencing.delete(key)
      this.pausedByCore.delete(key)
    }
    engine.lost(gone)
    // After core dropped them: a transaction already running still ends before its producer goes.
    void this.transactions?.release(gone)
  }

  async stopFetching(): Promise<void> {
    if (this.running) this.consumer.pause(this.topics.map((topic) => ({ topic })))
  }

  async disconnect(): Promise<void> {
    this.closing = true
    clearTimeout(this.restartTimer)
    for (const off of this.detach.splice(0)) off()
    this.running = false
    await this.restarting
    try {
      await this.consumer.disconnect()
    } finally {
      await this.transactions?.close()
      await this.admin?.then((admin) => admin.disconnect()).catch(() => undefined)
    }
  }
}
