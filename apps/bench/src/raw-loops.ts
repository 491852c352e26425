// The raw baseline: what a careful hand-written loop on the bare client does, at the same
// cadence as the offsetkit arm it is compared with. Client settings match the adapters' so the
// difference is offsetkit itself.
// Each client is imported only when its loop is made: a run's process holds one client library.
import type { KafkaJS } from '@confluentinc/kafka-javascript'
import { performance } from 'node:perf_hooks'
import type { ClientName } from './bench-clients.js'
import type { RawCommit, RawVariant } from './bench-plan.js'
import type { ConsumerTarget } from './create-bench-consumer.js'
import type { RunMeter } from './run-meter.js'

export interface RawLoop {
  /** Connect, subscribe and start consuming; every record calls `meter.record()`. */
  start(): Promise<void>
  /** Commit what the cadence still owes, then leave the group and disconnect. */
  close(): Promise<void>
}

interface Offset {
  readonly topic: string
  readonly partition: number
  readonly offset: string
}

/** Next-to-read offsets per partition, last value wins. */
class PendingOffsets {
  private readonly byPartition = new Map<number, Offset>()
  since = 0

  set(topic: string, partition: number, nextOffset: string): void {
    this.byPartition.set(partition, { topic, partition, offset: nextOffset })
    this.since++
  }

  take(): Offset[] {
    const list = [...this.byPartition.values()]
    this.byPartition.clear()
    this.since = 0
    return list
  }
}

const next = (offset: string): string => (BigInt(offset) + 1n).toString()

/**
 * What a careful hand-written loop does at "every N": commit without stalling consumption, one
 * commit in flight at a time, offsets due meanwhile going out in the next one. The first failure
 * is kept and thrown by `flush()`, so the run fails instead of passing silently.
 */
class SingleFlightCommits {
  private inFlight: Promise<void> | undefined
  private due = false
  private error: unknown

  constructor(
    private readonly pending: PendingOffsets,
    private readonly send: (offsets: Offset[]) => Promise<void>,
  ) {}

  request(): void {
    if (this.inFlight !== undefined) {
      this.due = true
      return
    }
    const offsets = this.pending.take()
    if (offsets.length === 0) return
    this.inFlight = this.send(offsets)
      .catch((error: unknown) => {
        this.error ??= error
      })
      .finally(() => {
        this.inFlight = undefined
        if (this.due) {
          this.due = false
          this.request()
        }
      })
  }

  /** Waits for the commit in flight, then commits whatever is still pending. */
  async flush(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight
    this.due = false
    const offsets = this.pending.take()
    if (offsets.length > 0) await this.send(offsets).catch((error: unknown) => { this.error ??= error })
    if (this.error !== undefined) throw this.error
  }
}

export async function createRawLoop(client: ClientName, target: ConsumerTarget, topic: string, commit: RawCommit, meter: RunMeter, variant?: RawVariant): Promise<RawLoop> {
  if (variant !== undefined && variant.client !== client) throw new Error(`a ${variant.client} setting, not for ${client}`)
  switch (client) {
    case 'kafkajs':
      return kafkajsLoop(await import('kafkajs'), target, topic, commit, meter)
    case 'confluent': {
      const library = await import('@confluentinc/kafka-javascript')
      // Its node-rdkafka-compatible callback API: the same loop as node-rdkafka's. Per-message
      // commits too: the KafkaJS API's commitOffsets resolves before the broker answers.
      // (A CommonJS module: its callback API is on the default export when imported.)
      const callbackApi = ((library as unknown as { default?: typeof library }).default ?? library).KafkaConsumer
      if (variant?.callbackApi === true || commit === 'per-message') return nodeRdkafkaLoop(callbackApi as unknown as typeof import('node-rdkafka').KafkaConsumer, target, topic, commit, meter, variant)
      return confluentLoop(library.KafkaJS, target, topic, commit, meter, variant)
    }
    case 'node-rdkafka': {
      // The adapter's own librdkafka defaults, so the loop runs the client as offsetkit's arm does.
      const [Rdkafka, { NODE_RDKAFKA_CONFIG_DEFAULTS }] = await Promise.all([import('node-rdkafka'), import('@offsetkit/node-rdkafka')])
      return nodeRdkafkaLoop(Rdkafka.default.KafkaConsumer, target, topic, commit, meter, variant, NODE_RDKAFKA_CONFIG_DEFAULTS)
    }
  }
}

async function timed(meter: RunMeter, commit: () => Promise<unknown>): Promise<void> {
  meter.commitStarted()
  const started = performance.now()
  await commit()
  meter.commitSucceeded(performance.now() - started)
}

function kafkajsLoop({ Kafka, logLevel }: typeof import('kafkajs'), { brokers, groupId }: ConsumerTarget, topic: string, commit: RawCommit, meter: RunMeter): RawLoop {
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'offsetkit-bench-raw', logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 })
  const pending = new PendingOffsets()
  const every = typeof commit === 'object' ? commit.every : undefined
  const commits = new SingleFlightCommits(pending, (offsets) => timed(meter, () => consumer.commitOffsets(offsets)))
  const perMessage = commit === 'per-message'
  return {
    async start() {
      // kafkajs' own auto-commit (at every batch end) reports each commit as an instrumentation event.
      if (commit === 'auto') consumer.on(consumer.events.COMMIT_OFFSETS, () => meter.commitStarted())
      await consumer.connect()
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({
        autoCommit: commit === 'auto',
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            meter.record()
            if (perMessage) {
              // Resolves with the broker's OffsetCommit response.
              await timed(meter, () => consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next(message.offset) }]))
              continue
            }
            if (every === undefined) continue
            pending.set(batch.topic, batch.partition, next(message.offset))
            if (pending.since >= every) commits.request()
          }
        },
      })
    },
    async close() {
      try {
        if (every !== undefined) await commits.flush()
      } finally {
        await consumer.disconnect()
      }
    },
  }
}

function confluentLoop(KafkaJS: typeof import('@confluentinc/kafka-javascript').KafkaJS, { brokers, groupId }: ConsumerTarget, topic: string, commit: RawCommit, meter: RunMeter, variant?: RawVariant): RawLoop {
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: brokers.split(','), logLevel: KafkaJS.logLevel.NOTHING } })
  const consumer = kafka.consumer({
    kafkaJS: { groupId, fromBeginning: true, autoCommit: commit === 'auto' },
    // Unlimited batches, as the adapter uses (unless a ceiling arm says otherwise).
    'js.consumer.max.batch.size': variant?.maxBatchSize ?? -1,
    ...variant?.config,
  } as KafkaJS.ConsumerConstructorConfig)
  const pending = new PendingOffsets()
  const every = typeof commit === 'object' ? commit.every : undefined
  // The KafkaJS API's commitOffsets resolves when the commit is queued, not acknowledged: the
  // latency measured here is the enqueue time; its auto-commit reports nothing at all.
  const commits = new SingleFlightCommits(pending, (offsets) => timed(meter, () => consumer.commitOffsets(offsets)))
  if (commit === 'auto') meter.commitsUnknown()
  return {
    async start() {
      await consumer.connect()
      await consumer.subscribe({ topics: [topic] })
      if (variant?.eachMessage === true) {
        if (commit !== 'none') throw new Error('the eachMessage loop commits nothing')
        await consumer.run({
          eachMessage: async () => {
            meter.record()
          },
        })
        return
      }
      await consumer.run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            meter.record()
            if (every === undefined) continue
            pending.set(batch.topic, batch.partition, next(message.offset))
            if (pending.since >= every) commits.request()
          }
        },
      })
    },
    async close() {
      try {
        if (every !== undefined) await commits.flush()
      } finally {
        await consumer.disconnect()
      }
    },
  }
}

/** node-rdkafka's KafkaConsumer, or confluent's node-rdkafka-compatible one (its callback API). */
function nodeRdkafkaLoop(
  KafkaConsumer: typeof import('node-rdkafka').KafkaConsumer,
  { brokers, groupId }: ConsumerTarget,
  topic: string,
  commit: RawCommit,
  meter: RunMeter,
  variant: RawVariant | undefined,
  /** What the adapter sets unless told otherwise, so the loop runs the client as offsetkit's arm does. */
  defaults: Readonly<Record<string, string | number | boolean>> = {},
): RawLoop {
  const auto = commit === 'auto'
  const perMessage = commit === 'per-message'
  const batch = variant?.consume ?? 500
  if (batch === 'flowing' && commit !== 'none') throw new Error('the flowing loop commits nothing')
  const consumer = new KafkaConsumer(
    {
      'metadata.broker.list': brokers,
      'group.id': groupId,
      'enable.auto.commit': auto,
      // Stored only after processing: with auto-commit, librdkafka commits what we stored.
      'enable.auto.offset.store': false,
      offset_commit_cb: true,
      ...defaults,
      ...variant?.config,
    },
    { 'auto.offset.reset': 'earliest' },
  )
  const every = typeof commit === 'object' ? commit.every : undefined
  const pending = new PendingOffsets()
  let polling = false
  let loop: Promise<void> = Promise.resolve()
  const toNumbers = (list: Offset[]) => list.map(({ topic: t, partition, offset }) => ({ topic: t, partition, offset: Number(offset) }))
  // commit() only enqueues; the broker's answer is the 'offset.commit' event (served by consume).
  let acknowledge: ((error: unknown) => void) | undefined
  consumer.on('offset.commit', (error: unknown) => {
    const done = acknowledge
    acknowledge = undefined
    if (done !== undefined) done(error)
    else if (auto) meter.commitStarted() // librdkafka's own auto-commit (commitSync's reports are counted where it is called)
  })
  const commits = new SingleFlightCommits(pending, (offsets) =>
    timed(meter, () => new Promise<void>((resolve, reject) => {
      acknowledge = (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve())
      consumer.commit(toNumbers(offsets))
    })))
  return {
    async start() {
      await new Promise<void>((resolve, reject) => {
        consumer.connect({}, (error) => (error ? reject(error) : resolve()))
      })
      consumer.setDefaultConsumeTimeout(100)
      consumer.subscribe([topic])
      if (batch === 'flowing') {
        // Flowing mode: the client consumes in a loop of its own and emits every record.
        consumer.on('data', () => meter.record())
        consumer.consume()
        return
      }
      polling = true
      loop = new Promise((resolve) => {
        const poll = (): void => {
          if (!polling) return resolve()
          consumer.consume(batch, (error, messages) => {
            if (error) return void setTimeout(poll, 100)
            for (const message of messages) {
              meter.record()
              if (perMessage) {
                // commitSync returns once the broker answered (it blocks the event loop meanwhile,
                // as a hand-written synchronous loop would).
                const started = performance.now()
                meter.commitStarted()
                consumer.commitSync({ topic: message.topic, partition: message.partition, offset: message.offset + 1 })
                meter.commitSucceeded(performance.now() - started)
                continue
              }
              if (every === undefined && !auto) continue
              pending.set(message.topic, message.partition, String(message.offset + 1))
              if (every !== undefined && pending.since >= every) commits.request()
            }
            if (auto && pending.since > 0) consumer.offsetsStore(toNumbers(pending.take()))
            poll()
          })
        }
        poll()
      })
    },
    async close() {
      // Keep polling until the last commit is acknowledged: answers arrive inside consume calls.
      if (every !== undefined) await commits.flush()
      polling = false
      await loop
      // With auto-commit, close() commits the stored offsets.
      await new Promise<void>((resolve) => {
        consumer.disconnect(() => resolve())
      })
    },
  }
}
