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
  type TopicPartition,
} from '@offsetkit/commit-core'
import { ClientNotRunningError } from '@offsetkit/commit-core/adapter'
import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs'
import { classifyKafkajsCommitError } from './classify-kafkajs-error.js'
import { kafkajsStartError } from './kafkajs-start-error.js'
import { headersToKafkajs, recordFromKafkajs } from './kafkajs-records.js'

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
  private readonly detach: Array<() => void> = []

  constructor(
    private readonly consumer: Consumer,
    private readonly options: {
      readonly fromBeginning: boolean
      readonly deadLetter: { readonly producer: Producer; readonly topic?: DeadLetterTopicOption | undefined } | undefined
    },
  ) {
    const dead = options.deadLetter
    this.port = {
      capabilities: { leaderEpoch: false, commitMetadata: true, transactions: true },
      commit: (request) => this.commit(request),
      classifyCommitError: classifyKafkajsCommitError,
      pause: (partitions) => this.consumer.pause(groupByTopic(partitions)),
      resume: (partitions) => this.consumer.resume(groupByTopic(partitions)),
      ...(dead && {
        deadLetter: async (record, error, attempts) => {
          const message = deadLetterMessage(record as ConsumedRecord, error, attempts, dead.topic)
          await dead.producer.send({
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

  private async commit({ offsets }: CommitRequest): Promise<void> {
    // kafkajs resolves commitOffsets with nothing done when its runner is stopped: say so instead.
    if (!this.running) throw new ClientNotRunningError('the kafkajs consumer is not running; the commit was not sent')
    // kafkajs' promise settles with the broker's OffsetCommit response: the acknowledgement is real.
    await this.consumer.commitOffsets(offsets.map(({ topic, partition, offset, metadata }) => ({
      topic,
      partition,
      offset: offset.toString(),
      ...(metadata === undefined ? {} : { metadata }),
    })))
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
    this.topics = topics
    this.detach.push(
      this.consumer.on(events.REBALANCING, () => {
        void engine.commit().catch(() => undefined) // failures are commit.failed events
      }),
      this.consumer.on(events.GROUP_JOIN, ({ payload }) => {
        // Also the end of a runner restart (see STOP): commits are valid again from here.
        this.running = true
        const next = new Map<string, TopicPartition>()
        for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
          for (const partition of partitions) next.set(topicPartitionKey(topic, partition), { topic, partition })
        }
        const gone = [...this.owned].filter(([k]) => !next.has(k)).map(([, tp]) => tp)
        const added = [...next].filter(([k]) => !this.owned.has(k)).map(([, tp]) => tp)
        this.owned = next
        if (gone.length > 0) engine.lost(gone)
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
        if (gone.length > 0) engine.lost(gone)
      }),
      this.consumer.on(events.CRASH, ({ payload }) => {
        if (!payload.restart) this.dead ??= payload.error
        engine.clientFailed(payload.error, { restarting: payload.restart })
      }),
    )
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: this.options.fromBeginning })
    // run() resolves after the first join; fetching continues in the background.
    await this.consumer.run({
      // With autoCommit off, kafkajs still needs resolved offsets to move its fetch position:
      // auto-resolve advances fetching; what gets committed is core's watermark alone.
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }: EachBatchPayload) => {
        const records = batch.messages.map((m) => recordFromKafkajs(batch.topic, batch.partition, m))
        engine.recordsArrived(records)
        engine.batchEnd()
      },
    })
    // kafkajs resolves run() after a crash it does not recover from: say so instead of idling.
    if (this.dead !== undefined) throw this.dead
  }

  async stopFetching(): Promise<void> {
    if (this.running) this.consumer.pause(this.topics.map((topic) => ({ topic })))
  }

  async disconnect(): Promise<void> {
    for (const off of this.detach.splice(0)) off()
    this.running = false
    await this.consumer.disconnect()
  }
}
