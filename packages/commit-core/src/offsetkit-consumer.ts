import type { ClientPort } from './client-port.js'
import { createCommitEngine, type CommitEngine, type CommitEngineStats, type EngineHealth } from './commit-engine.js'
import type { CommitEngineEvents } from './commit-engine-events.js'
import { USER_OPTION_KEYS, resolveCommitEngineOptions, type CommitEngineOptions, type HandlerContext, type RecordHandler } from './commit-engine-options.js'
import type { ConsumedRecord } from './consumed-record.js'
import type { RecordBatch } from './record-batch.js'
import { ConfigError } from './config-error.js'
import { consoleLogger } from './logger.js'
import { ClientError } from './client-error.js'
import { OffsetkitError, isOffsetkitError } from './offsetkit-error.js'
import { redactSecrets } from './redact-secrets.js'
import { checkKnownKeys, isPlainObject } from './option-checks.js'
import type { Listener } from './typed-emitter.js'

/** What a user configures; the adapter supplies the port, `run()` the handler. */
export type OffsetkitOptions<N = unknown> = Omit<CommitEngineOptions<N>, 'port' | 'handler' | 'batch'>

/** Resolve (or return) when done; throw or reject to fail the attempt. */
export type ConsumedRecordHandler<N = unknown> = (record: ConsumedRecord<N>, context: HandlerContext) => void | PromiseLike<unknown>

/**
 * Resolve (or return) when the whole batch is done; throw or reject to fail it as a whole (it is
 * retried, then skipped, dead-lettered record by record, or it stops its partition, as the
 * failure policy says). `context.ack()` acks the batch; `context.send` (transactional mode) sends
 * outputs of the batch.
 */
export type ConsumedBatchHandler<N = unknown> = (batch: RecordBatch<ConsumedRecord<N>>, context: HandlerContext) => void | PromiseLike<unknown>

/** What `run()` consumes and the handler it calls: exactly one of `handler` and `batchHandler`. */
export type RunOptions<N = unknown> = RecordRunOptions<N> | BatchRunOptions<N>

/** `run()` with a handler per record. */
export interface RecordRunOptions<N = unknown> {
  /** Topics to subscribe to. */
  readonly topics: readonly string[]
  /** Called once per record; resolve when done (or ack through the context with `ack: 'manual'`). */
  readonly handler: ConsumedRecordHandler<N>
  /** Absent: a consumer runs one kind of handler. */
  readonly batchHandler?: undefined
}

/**
 * A batch handler: per call, the records of one partition the client delivered together (a
 * kafkajs batch, the run of one partition in a librdkafka `consume(n)`). One tracked unit per
 * batch instead of one per record: the least per-record cost offsetkit has. Commit policies still
 * count records (`every: 1000` commits after the batches holding 1,000 records are done), and
 * in-flight bounds count records (a batch over `maxInFlightPerPartition` pauses its partition until
 * it is done). Ordering 'partition' (default: one batch at a time per partition) or 'unordered'.
 * In `record.*` and `partition.stopped` events, `record` is the batch (its `offset` is the first
 * record's); `engine.ack(record)` does not apply (use `context.ack()`).
 */
export interface BatchRunOptions<N = unknown> {
  /** Topics to subscribe to. */
  readonly topics: readonly string[]
  /** Absent: a consumer runs one kind of handler. */
  readonly handler?: undefined
  /** Called once per batch; resolve when every record of it is done. */
  readonly batchHandler: ConsumedBatchHandler<N>
}

/**
 * The part of an adapter that talks to its client's consumer lifecycle. Everything else (offsets,
 * policies, rebalances, failures) happens in the engine the driver reports to.
 */
export interface ConsumerDriver<N = unknown> {
  /** The port the engine commits, pauses and resumes through. */
  readonly port: ClientPort<N>
  /** Connect, subscribe and start fetching, reporting to `engine`. Resolves once fetching began. */
  start(engine: CommitEngine<N>, topics: readonly string[]): Promise<void>
  /** Stop handing records to the engine; group membership stays so the final commit is valid. */
  stopFetching(): Promise<void>
  /** Leave the group and disconnect; called after the final commit. */
  disconnect(): Promise<void>
}

/**
 * The `code` of a {@link ConsumerStateError}: `ALREADY_RUNNING` (a second `run()`), `CLOSED`
 * (`run()` after `close()`), `NOT_RUNNING` (`commit()` while the consumer is not running).
 */
export type ConsumerStateErrorCode = 'NOT_RUNNING' | 'ALREADY_RUNNING' | 'CLOSED'

/** A consumer method called in a state where it cannot work. */
export class ConsumerStateError extends OffsetkitError {
  /** Which misuse it was. */
  readonly code: ConsumerStateErrorCode

  constructor(code: ConsumerStateErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

/** `consumer.health()`: the engine's view plus the consumer's lifecycle state. */
export interface ConsumerHealth extends Omit<EngineHealth, 'status'> {
  /** `idle` before run(); `closed` after close(); otherwise the engine's status. */
  readonly status: 'idle' | 'ok' | 'degraded' | 'failed' | 'closed'
  /** The consumer's lifecycle: `idle` before run(), then `running`, `closing`, `closed`. */
  readonly state: 'idle' | 'running' | 'closing' | 'closed'
}

/** The one consumer interface every adapter returns. */
export interface OffsetkitConsumer<N = unknown> {
  /**
   * Subscribes and starts consuming; resolves once fetching has begun. Once per consumer. Rejects
   * with a ClientError (broker unreachable, topic not found, …) or a ConfigError when the client
   * cannot start; the consumer is then closed (a later close() resolves).
   */
  run(options: RunOptions<N>): Promise<void>
  /** Commits every owned partition's watermark now; resolves when the broker accepted it. */
  commit(): Promise<void>
  /** Stop fetching → drain (bounded) → final synchronous commit → leave the group. Idempotent. */
  close(): Promise<void>
  /**
   * Subscribes to an engine event; may be called before run() (listeners attach when it starts).
   * Returns a function that unsubscribes.
   */
  on<K extends keyof CommitEngineEvents<N>>(event: K, listener: Listener<CommitEngineEvents<N>[K]>): () => void
  /** A snapshot of every owned partition and the engine; empty before run(). */
  stats(): CommitEngineStats
  /** For readiness/liveness probes: `ok`, or what is stalled, starved, stopped or failed. */
  health(): ConsumerHealth
}

type State = 'idle' | 'running' | 'closing' | 'closed'

const noHandler: RecordHandler = () => undefined

async function quietly(call: () => Promise<void>): Promise<void> {
  try {
    await call()
  } catch {
    // Best effort: the caller reports an error of its own.
  }
}

class Consumer<N> implements OffsetkitConsumer<N> {
  private state: State = 'idle'
  private engine: CommitEngine<N> | undefined
  private closing: Promise<void> | undefined
  // Listeners registered before run() attach when the engine exists.
  private readonly subscriptions: Array<{ attach: (engine: CommitEngine<N>) => () => void; detach?: () => void }> = []

  constructor(
    private readonly driver: ConsumerDriver<N>,
    private readonly options: OffsetkitOptions<N>,
  ) {}

  async run(options: RunOptions<N>): Promise<void> {
    if (this.state !== 'idle') {
      throw this.state === 'running'
        ? new ConsumerStateError('ALREADY_RUNNING', 'run() was already called on this consumer')
        : new ConsumerStateError('CLOSED', 'run() after close(): create a new consumer')
    }
    if (!isPlainObject(options)) throw new ConfigError('run', options, '{ topics, handler } or { topics, batchHandler }')
    const { topics, handler, batchHandler } = options as { topics?: unknown; handler?: unknown; batchHandler?: unknown }
    checkTopics(topics)
    const batch = batchHandler !== undefined
    if (batch && handler !== undefined) throw new ConfigError('batchHandler', batchHandler, 'absent when handler is given: one of handler (per record) and batchHandler (per batch)')
    if (batch && typeof batchHandler !== 'function') throw new ConfigError('batchHandler', batchHandler, 'a function (batch, context) => void | Promise')
    if (!batch && typeof handler !== 'function') throw new ConfigError('handler', handler, 'a function (record, context) => void | Promise (or give batchHandler instead)')
    // Drivers hand the engine ConsumedRecords only, so the handler sees what it was promised.
    const logger = this.options.logger ?? consoleLogger('warn')
    const engine = createCommitEngine<N>({
      ...this.options,
      logger,
      // A consumer watches its partitions for starvation, and its group's, and probes its
      // membership after a silence, by default; the bare engine only on request.
      liveness: { starvationMs: 60_000, groupStallMs: 120_000, membershipProbeMs: 10_000, ...this.options.liveness },
      port: this.driver.port,
      // A batch consumer's engine calls its handler with an EngineBatch: a RecordBatch of ConsumedRecords.
      handler: (batch ? batchHandler : handler) as RecordHandler<N>,
      batch,
    })
    this.engine = engine
    if (this.options.mode === 'transactional') {
      // A fatal transactional commit (outcome unknown, producer fenced or broken) can never be
      // retried safely: the consumer leaves the group, so its partitions go to members that can
      // commit (they resume from the committed offsets), and close() rejects with the error.
      engine.on('commit.failed', ({ error, willRetry }) => {
        if (willRetry || error.code !== 'FATAL') return
        logger.error('transactional commit failed for good; closing the consumer', { code: error.code })
        void this.close().catch(() => undefined)
      })
    }
    if (this.options.liveness?.onStall === 'close') {
      engine.on('commit.stalled', () => {
        void this.close().catch(() => undefined) // the close's own failure is the 'closed' event
      })
    }
    for (const subscription of this.subscriptions) subscription.detach = subscription.attach(engine)
    this.state = 'running'
    try {
      await this.driver.start(engine, topics)
    } catch (error) {
      // Adapters map what they recognise; anything else still reaches the user typed, as `cause`.
      const failure = isOffsetkitError(error) ? error : new ClientError('CLIENT_FAILED', { cause: redactSecrets(error) })
      // Nothing runs after a failed start: release the client now, and let a later close() resolve.
      this.closing ??= this.abandon(engine)
      await this.closing
      throw failure
    }
  }

  /** After a failed start: every step best effort, the start's own error is what the user gets. */
  private async abandon(engine: CommitEngine<N>): Promise<void> {
    this.state = 'closing'
    await quietly(() => this.driver.stopFetching())
    await quietly(() => engine.close())
    await quietly(() => this.driver.disconnect())
    this.state = 'closed'
  }

  commit(): Promise<void> {
    if (this.engine === undefined || this.state !== 'running') {
      return Promise.reject(new ConsumerStateError('NOT_RUNNING', `commit() needs a running consumer (it is ${this.state})`))
    }
    return this.engine.commit()
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown()
    return this.closing
  }

  private async shutDown(): Promise<void> {
    const engine = this.engine
    this.state = 'closing'
    try {
      if (engine !== undefined) {
        await this.driver.stopFetching()
        await engine.close()
      }
    } finally {
      await this.driver.disconnect()
      this.state = 'closed'
    }
  }

  on<K extends keyof CommitEngineEvents<N>>(event: K, listener: Listener<CommitEngineEvents<N>[K]>): () => void {
    const subscription: (typeof this.subscriptions)[number] = { attach: (engine) => engine.on(event, listener) }
    if (this.engine !== undefined) subscription.detach = subscription.attach(this.engine)
    this.subscriptions.push(subscription)
    return () => {
      subscription.detach?.()
      const index = this.subscriptions.indexOf(subscription)
      if (index >= 0) this.subscriptions.splice(index, 1)
    }
  }

  stats(): CommitEngineStats {
    return this.engine?.stats() ?? { partitions: [], inFlight: 0, running: 0, committing: false }
  }

  health(): ConsumerHealth {
    const engine = this.engine?.health() ?? {
      status: 'ok' as const,
      reasons: [],
      ownedPartitions: 0,
      inFlight: 0,
      oldestInFlightAgeMs: undefined,
      lastCommitAgeMs: undefined,
      stalled: [],
      starved: [],
      stopped: [],
      groupStalled: [],
      membershipProbeAgeMs: undefined,
    }
    const status = this.state === 'idle' ? 'idle' : this.state === 'closed' ? 'closed' : engine.status
    return { ...engine, status, state: this.state }
  }
}

function checkTopics(topics: unknown): asserts topics is readonly string[] {
  const accepted = 'a non-empty array of topic names (non-empty strings)'
  if (!Array.isArray(topics) || topics.length === 0) throw new ConfigError('topics', topics, accepted)
  topics.forEach((topic, i) => {
    if (typeof topic !== 'string' || topic === '') throw new ConfigError(`topics[${i}]`, topic, accepted)
  })
}

/**
 * Builds the consumer every adapter returns. Options are checked here, before anything connects,
 * so bad input fails at construction with a ConfigError naming the option. `adapterOptions`: the
 * names of the adapter's own options (taken out of `options` already), so that an unknown option's
 * error lists, and suggests from, exactly what the user can set through that adapter.
 */
export function createOffsetkitConsumer<N>(
  driver: ConsumerDriver<N>,
  options: OffsetkitOptions<N> = {},
  adapterOptions: readonly string[] = [],
): OffsetkitConsumer<N> {
  if (isPlainObject(options)) {
    const listed = [...USER_OPTION_KEYS, ...adapterOptions]
    checkKnownKeys('options', options, [...listed, 'clock'], listed)
  }
  resolveCommitEngineOptions<N>({ ...options, port: driver.port, handler: noHandler })
  return new Consumer(driver, options)
}
