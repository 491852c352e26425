import type { ClientPort, CommitEntry, EngineRecord, PartitionOffset } from './client-port.js'
import type { CancelTimer, Clock } from './clock.js'
import type { CommitError } from './commit-error.js'
import type { CommitEngineEvents, StalledPartition, StarvedPartition } from './commit-engine-events.js'
import {
  resolveCommitEngineOptions,
  type CommitEngineOptions,
  type HandlerContext,
  type RecordHandler,
  type ResolvedOptions,
} from './commit-engine-options.js'
import { CommitPipeline, type CommitScope, type PreparedCommit } from './commit-pipeline.js'
import type { CommitDecision, CommitPolicy, CommitPolicyState, CommitTrigger } from './commit-policy.js'
import { Deque } from './deque.js'
import { Entry, Lane, PartitionState } from './partition-state.js'
import { EngineError, type EngineErrorCode } from './engine-error.js'
import type { Logger } from './logger.js'
import { nextOffsetAfter, type CommitOffset, type RecordOffset } from './offset.js'
import { OffsetError } from './offset-error.js'
import { PartitionTracker } from './partition-tracker.js'
import { LivenessMonitor, type WatchedPartition } from './liveness-monitor.js'
import { ProcessingError } from './processing-error.js'
import { topicPartitionKey, type TopicPartition } from './topic-partition.js'
import { TypedEmitter, type Listener } from './typed-emitter.js'

export interface AssignedPartition extends TopicPartition {
  /** Where reading starts (committed offset or reset position), when the client knows it. */
  readonly position?: CommitOffset | undefined
}

export interface RecordsArrivedOptions {
  /**
   * Fetch positions (next offset the client will read) after these records. They let the
   * watermark step over offsets that will never be delivered: compacted records, transaction
   * markers. A position must not be ahead of records the client has not handed over yet.
   */
  readonly fetchPositions?: readonly PartitionOffset[] | undefined
}

export interface PartitionStats extends TopicPartition {
  readonly epoch: number
  readonly status: 'active' | 'revoking'
  readonly highestSeen: RecordOffset | undefined
  /** Next offset to read: what a commit now would carry. */
  readonly watermark: CommitOffset | undefined
  readonly lastCommitted: CommitOffset | undefined
  /** Records seen and not done (queued, running, retrying, awaiting a manual ack). */
  readonly inFlight: number
  readonly running: number
  readonly oldestInFlightAgeMs: number | undefined
  readonly paused: boolean
  readonly stopped: boolean
  /** Log end as the client last reported it; undefined when it never did. */
  readonly endOffset: CommitOffset | undefined
  /** Time since the partition last delivered a record (or since its assignment). */
  readonly idleMs: number
  /** Its commits cannot advance (see the `commit.stalled` event). */
  readonly stalled: boolean
  /** It has records to read and delivers none (see the `partition.starved` event). */
  readonly starved: boolean
}

export interface CommitEngineStats {
  readonly partitions: readonly PartitionStats[]
  readonly inFlight: number
  readonly running: number
  readonly committing: boolean
}

/** What a readiness or liveness probe needs, cheap to compute. */
export interface EngineHealth {
  /**
   * `ok`; `degraded`: something is stalled, starved or stopped, or the client is restarting
   * itself; `failed`: the consumer stopped (failure policy) or the client died.
   */
  readonly status: 'ok' | 'degraded' | 'failed'
  /** Why it is not `ok`, one line per reason. */
  readonly reasons: readonly string[]
  readonly ownedPartitions: number
  readonly inFlight: number
  readonly oldestInFlightAgeMs: number | undefined
  /** Since the last commit the broker acknowledged; undefined before the first. */
  readonly lastCommitAgeMs: number | undefined
  readonly stalled: readonly StalledPartition[]
  readonly starved: readonly StarvedPartition[]
  readonly stopped: readonly TopicPartition[]
}

/** The engine an adapter drives. Everything but the Promise-returning calls returns at once. */
export interface CommitEngine<N = unknown> {
  /** Newly assigned partitions (already-owned ones are ignored). Each gets a new epoch. */
  assigned(partitions: readonly AssignedPartition[]): void
  /**
   * Stop dispatching → drain running handlers (bounded by drainTimeoutMs, then abort) → fence →
   * commit the final watermark synchronously → release. Never rejects: failures are events.
   */
  revoked(partitions: readonly TopicPartition[]): Promise<void>
  /** Fence and drop without committing; handlers are aborted at once. */
  lost(partitions: readonly TopicPartition[]): void
  /** Track and dispatch records. Returns at once; see whenCapacity for backpressure. */
  recordsArrived(records: readonly EngineRecord<N>[], options?: RecordsArrivedOptions): void
  /** The client's fetch position moved (e.g. past a transaction marker) without new records. */
  positionAdvanced(partition: TopicPartition, next: CommitOffset): void
  /** Log-end offsets the client learned (e.g. a fetch's high watermark): starved partitions show. */
  endOffsetsKnown(offsets: readonly PartitionOffset[]): void
  /**
   * The client failed by itself. `restarting`: it reconnects on its own (the adapter reports
   * its partitions lost meanwhile); otherwise nothing more will be consumed. Emits
   * `client.failed` and logs it; `health()` shows it.
   */
  clientFailed(error: unknown, options: { readonly restarting: boolean }): void
  /** The adapter finished handing over a fetched batch (drives the 'batch' policy). */
  batchEnd(): void
  /** Explicit rewind (or skip ahead): resets the partition to `offset` under a new epoch. */
  seek(partition: TopicPartition, offset: CommitOffset): boolean
  /** Marks a record (the object the handler received) done. False if dropped. */
  ack(record: EngineRecord<N>): boolean
  /** Commits every owned partition's watermark; resolves when the broker accepted it. */
  commit(): Promise<void>
  /** Resolves when the partition (or, without one, the consumer) is below its in-flight bound. */
  whenCapacity(partition?: TopicPartition): Promise<void>
  /** Resolves when no handler runs, nothing is dispatchable or retrying, and no commit is pending. */
  whenIdle(): Promise<void>
  /** Stop dispatching → drain (bounded) → final synchronous commit. Rejects on a fatal commit error. */
  close(): Promise<void>
  on<K extends keyof CommitEngineEvents<N>>(event: K, listener: Listener<CommitEngineEvents<N>[K]>): () => void
  stats(): CommitEngineStats
  health(): EngineHealth
  readonly closed: boolean
}

export function createCommitEngine<N = unknown>(options: CommitEngineOptions<N>): CommitEngine<N> {
  return new Engine(resolveCommitEngineOptions(options))
}

class Context<N> implements HandlerContext {
  readonly attempt: number
  readonly epoch: number

  constructor(
    private readonly engine: Engine<N>,
    private readonly entry: Entry<N>,
    readonly signal: AbortSignal,
  ) {
    this.attempt = entry.attempt
    this.epoch = entry.epoch
  }

  ack(): boolean {
    return this.engine.ackEntry(this.entry)
  }
}

interface Target<N> {
  readonly state: PartitionState<N>
  readonly epoch: number
  readonly offset: CommitOffset
}

interface Prepared<N> extends PreparedCommit {
  readonly targets: readonly Target<N>[]
}

interface MutablePolicyState {
  trigger: CommitTrigger
  recordsSinceCommit: number
  lastCommitAt: number
  pending: boolean
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/** Lane key for `ordering: 'key'`: exact for both string and byte keys (a collision would only serialize). */
function laneKey(key: Uint8Array | string | null | undefined): string {
  if (key === undefined || key === null) return ''
  if (typeof key === 'string') return `s${key}`
  let text = 'b'
  for (const byte of key) text += String.fromCharCode(byte)
  return text
}

function describe(state: { topic: string; partition: number }): Record<string, unknown> {
  return { topic: state.topic, partition: state.partition }
}

class Engine<N> implements CommitEngine<N> {
  private readonly port: ClientPort<N>
  private readonly handler: RecordHandler<N>
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly policy: CommitPolicy
  private readonly options: ResolvedOptions<N>
  private readonly events: TypedEmitter<CommitEngineEvents<N>>
  private readonly pipeline: CommitPipeline<PartitionState<N>, Prepared<N>>
  private readonly states = new Map<string, PartitionState<N>>()
  private cached: PartitionState<N> | undefined
  private readonly readyLanes = new Deque<Lane<N>>()
  private readonly flowDirty = new Set<PartitionState<N>>()
  private readonly storeDirty = new Set<PartitionState<N>>()
  private readonly policyState: MutablePolicyState
  private readonly resumePartitionAt: number
  private readonly resumeGlobalAt: number
  private readonly keyed: boolean
  private readonly laneLimit: number
  private capacityWaiters: Array<{ readonly partition: TopicPartition | undefined; readonly resolve: () => void }> = []
  private idleWaiters: Array<() => void> = []
  private epochs = 0
  private inFlight = 0
  private running = 0
  private retrying = 0
  private globalOver = false
  private flowAll = false
  private consumerStopped = false
  private closing = false
  private closedFlag = false
  private closePromise: Promise<void> | undefined
  private tickTimer: CancelTimer | undefined
  private lastTickAt = Number.NEGATIVE_INFINITY
  private reconciling = false
  private again = false
  private readonly liveness: LivenessMonitor
  private lastCommitAckAt: number | undefined
  private clientFailure: { readonly error: unknown; readonly restarting: boolean } | undefined

  constructor(options: ResolvedOptions<N>) {
    this.options = options
    this.port = options.port
    this.handler = options.handler
    this.clock = options.clock
    this.logger = options.logger
    this.policy = options.policy
    this.events = new TypedEmitter(options.logger)
    this.keyed = options.ordering === 'key'
    this.laneLimit = options.ordering === 'unordered' ? Number.POSITIVE_INFINITY : 1
    // Hysteresis: resume at half the bound so a busy partition does not flap pause/resume.
    this.resumePartitionAt = Math.floor(options.maxInFlightPerPartition / 2)
    this.resumeGlobalAt = Math.floor(options.maxInFlight / 2)
    this.policyState = { trigger: 'record', recordsSinceCommit: 0, lastCommitAt: this.clock.now(), pending: false }
    this.pipeline = new CommitPipeline<PartitionState<N>, Prepared<N>>({
      port: this.port,
      clock: this.clock,
      logger: this.logger,
      maxAttempts: options.commitAttempts,
      delayMs: options.commitDelayMs,
      source: {
        prepare: (scope) => this.prepare(scope),
        committed: (prepared) => this.applyCommitted(prepared),
        release: (blocked) => this.releaseBlocks(blocked),
        wake: () => this.reconcile(),
      },
      observer: {
        started: (request, attempt) => {
          this.liveness.commitStarted(request)
          this.events.emit('commit.started', { request, attempt })
        },
        succeeded: (request, attempt, durationMs) => {
          this.lastCommitAckAt = this.clock.now()
          this.liveness.commitSucceeded(request)
          this.events.emit('commit.succeeded', { request, attempt, durationMs })
        },
        failed: (request, error, attempt, willRetry) => {
          this.liveness.commitFailed(request, error, willRetry)
          const level = willRetry ? 'warn' : 'error'
          this.logger[level]('commit failed', { code: error.code, attempt, willRetry, reason: request.reason, cause: String(error.cause) })
          this.events.emit('commit.failed', { request, error, attempt, willRetry })
        },
      },
    })
    this.liveness = new LivenessMonitor({
      clock: this.clock,
      logger: this.logger,
      options: options.liveness,
      owned: () => this.watched(),
      emit: (event, payload) => this.events.emit(event, payload as CommitEngineEvents<N>[typeof event]),
      ...(this.port.queryEndOffsets && { queryEndOffsets: (partitions) => (this.port.queryEndOffsets as NonNullable<ClientPort<N>['queryEndOffsets']>)(partitions) }),
      endOffsetsKnown: (offsets) => this.endOffsetsKnown(offsets),
    })
  }

  get closed(): boolean {
    return this.closedFlag
  }

  on<K extends keyof CommitEngineEvents<N>>(event: K, listener: Listener<CommitEngineEvents<N>[K]>): () => void {
    return this.events.on(event, listener)
  }

  // ---------------------------------------------------------------- assignment lifecycle

  assigned(partitions: readonly AssignedPartition[]): void {
    if (this.closing) {
      this.logger.warn('assigned() after close() ignored')
      return
    }
    for (const p of partitions) {
      if (p.position !== undefined) this.checkOffset(p.position)
    }
    for (const p of partitions) {
      const existing = this.lookup(p.topic, p.partition)
      if (existing !== undefined && existing.status === 'active') {
        this.logger.debug('partition already assigned; keeping its state', describe(p))
        continue
      }
      if (existing !== undefined) {
        // Contract breach (the adapter must await revoked() first). The new owner epoch wins;
        // the old one is released without its final commit rather than racing the new one.
        this.logger.error('assigned() while the partition is still revoking; releasing the old epoch', describe(p))
        this.release(existing, 'PARTITION_REVOKED')
        this.events.emit('partition.revoked', { topic: existing.topic, partition: existing.partition, epoch: existing.epoch, committed: existing.committed })
      }
      const state = new PartitionState<N>(p.topic, p.partition, ++this.epochs, new PartitionTracker(p.position), this.keyed, this.laneLimit, this.clock.now())
      if (this.consumerStopped) state.stopped = true
      this.states.set(topicPartitionKey(p.topic, p.partition), state)
      this.flowDirty.add(state)
      this.events.emit('partition.assigned', { topic: p.topic, partition: p.partition, epoch: state.epoch, position: p.position })
    }
    // A client that restarted itself is back once it is assigned again.
    if (this.clientFailure?.restarting === true) this.clientFailure = undefined
    this.pipeline.unpark()
    this.reconcile()
  }

  async revoked(partitions: readonly TopicPartition[]): Promise<void> {
    const fresh: PartitionState<N>[] = []
    const ongoing: Promise<void>[] = []
    for (const p of partitions) {
      const state = this.lookup(p.topic, p.partition)
      if (state === undefined) continue
      if (state.revoking !== undefined) ongoing.push(state.revoking)
      else fresh.push(state)
    }
    if (fresh.length > 0) {
      const revoking = this.revoke(fresh)
      for (const state of fresh) state.revoking = revoking
      ongoing.push(revoking)
    }
    await Promise.all(ongoing)
    this.pipeline.unpark()
    this.reconcile()
  }

  lost(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      const state = this.lookup(p.topic, p.partition)
      if (state === undefined) continue
      this.stopDispatch(state)
      this.release(state, 'PARTITION_LOST')
      this.events.emit('partition.lost', { topic: state.topic, partition: state.partition, epoch: state.epoch })
    }
    this.pipeline.unpark()
    this.reconcile()
  }

  seek(partition: TopicPartition, offset: CommitOffset): boolean {
    this.checkOffset(offset)
    const state = this.lookup(partition.topic, partition.partition)
    if (state === undefined || state.status !== 'active') return false
    state.controller.abort(new EngineError('PARTITION_RESET', `${partition.topic}[${partition.partition}] was reset by a seek`))
    this.cancelRetries(state)
    this.forgetInFlight(state)
    state.epoch = ++this.epochs
    state.tracker = new PartitionTracker(offset)
    state.lastDeliveryAt = this.clock.now()
    state.controller = new AbortController()
    state.resetLanes(this.keyed, this.laneLimit)
    // An explicit rewind is the one case where the committed offset may go backwards.
    state.committed = undefined
    state.stored = undefined
    state.stopped = this.consumerStopped
    state.overBound = false
    this.policyState.pending = true
    if (this.policy.kind === 'auto') this.storeDirty.add(state)
    this.flowDirty.add(state)
    this.events.emit('partition.reset', { topic: state.topic, partition: state.partition, epoch: state.epoch, offset })
    this.reconcile()
    return true
  }

  close(): Promise<void> {
    this.closePromise ??= this.shutdown()
    return this.closePromise
  }

  // ---------------------------------------------------------------- records

  recordsArrived(records: readonly EngineRecord<N>[], options?: RecordsArrivedOptions): void {
    // Validate everything first so a bad record never leaves the batch half-tracked.
    for (const record of records) this.checkOffset(record.offset)
    const positions = options?.fetchPositions
    if (positions !== undefined) for (const p of positions) this.checkOffset(p.offset)
    const now = this.clock.now()
    for (const record of records) this.arrive(record, now)
    if (positions !== undefined) for (const p of positions) this.advance(p.topic, p.partition, p.offset)
    this.reconcile()
  }

  positionAdvanced(partition: TopicPartition, next: CommitOffset): void {
    this.checkOffset(next)
    this.advance(partition.topic, partition.partition, next)
    this.reconcile()
  }

  endOffsetsKnown(offsets: readonly PartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      this.checkOffset(offset)
      const state = this.lookup(topic, partition)
      if (state !== undefined) state.endOffset = offset
    }
  }

  clientFailed(error: unknown, { restarting }: { readonly restarting: boolean }): void {
    this.clientFailure = { error, restarting }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    if (restarting) this.logger.warn('the client failed and restarts itself; its partitions are reassigned when it rejoins', { error: message })
    else this.logger.error('the client failed and does not restart: nothing more will be consumed', { error: message })
    this.events.emit('client.failed', { error, restarting })
  }

  batchEnd(): void {
    this.decide('batch-end', undefined)
    this.reconcile()
  }

  ack(record: EngineRecord<N>): boolean {
    if (typeof record.offset !== 'bigint') return false
    const state = this.lookup(record.topic, record.partition)
    const entry = state?.tracker.find(record.offset)
    // Identity, not offset: the same offset redelivered in a later epoch is a different record.
    if (entry === undefined || entry.record !== record) return false
    return this.ackEntry(entry)
  }

  /** @internal used by HandlerContext.ack */
  ackEntry(entry: Entry<N>): boolean {
    if (entry.done || !this.isCurrent(entry)) return false
    this.finish(entry)
    this.reconcile()
    return true
  }

  commit(): Promise<void> {
    this.policyState.recordsSinceCommit = 0
    this.policyState.pending = false
    this.policyState.lastCommitAt = this.clock.now()
    const outcome = this.pipeline.flush('all', 'manual', true)
    this.reconcile()
    return outcome.then((result) => {
      if (!result.ok) throw result.error
    })
  }

  whenCapacity(partition?: TopicPartition): Promise<void> {
    if (this.hasCapacity(partition)) return Promise.resolve()
    return new Promise((resolve) => this.capacityWaiters.push({ partition, resolve }))
  }

  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  stats(): CommitEngineStats {
    const now = this.clock.now()
    const partitions: PartitionStats[] = []
    for (const s of this.states.values()) {
      const oldest = s.tracker.oldest()
      partitions.push({
        topic: s.topic,
        partition: s.partition,
        epoch: s.epoch,
        status: s.status === 'active' ? 'active' : 'revoking',
        highestSeen: s.tracker.highestSeen,
        watermark: s.tracker.watermark(),
        lastCommitted: s.committed,
        inFlight: s.tracker.inFlight,
        running: s.running,
        oldestInFlightAgeMs: oldest === undefined ? undefined : now - oldest.arrivedAt,
        paused: s.paused,
        stopped: s.stopped,
        endOffset: s.endOffset,
        idleMs: now - s.lastDeliveryAt,
        stalled: this.liveness.isStalled(s),
        starved: this.liveness.isStarved(s),
      })
    }
    return { partitions, inFlight: this.inFlight, running: this.running, committing: this.pipeline.committing }
  }

  health(): EngineHealth {
    const now = this.clock.now()
    let oldest: number | undefined
    const stopped: TopicPartition[] = []
    for (const s of this.states.values()) {
      const head = s.tracker.oldest()
      if (head !== undefined && (oldest === undefined || head.arrivedAt < oldest)) oldest = head.arrivedAt
      if (s.stopped) stopped.push(s.toTopicPartition())
    }
    const stalled = this.liveness.stalledPartitions()
    const starved = this.liveness.starvedPartitions()
    const reasons: string[] = []
    const failure = this.clientFailure
    let status: EngineHealth['status'] = 'ok'
    if (this.consumerStopped) reasons.push('the failure policy stopped the consumer')
    if (failure !== undefined) {
      const what = failure.error instanceof Error ? failure.error.message : String(failure.error)
      reasons.push(failure.restarting ? `the client failed and is restarting: ${what}` : `the client failed and does not restart: ${what}`)
    }
    if (this.consumerStopped || (failure !== undefined && !failure.restarting)) status = 'failed'
    const list = (ps: readonly TopicPartition[]): string => ps.map((p) => `${p.topic}/${p.partition}`).join(', ')
    if (stalled.length > 0) reasons.push(`commits stalled: ${list(stalled)}`)
    if (starved.length > 0) reasons.push(`partitions deliver nothing although they have records: ${list(starved)}`)
    if (stopped.length > 0 && !this.consumerStopped) reasons.push(`partitions stopped by the failure policy: ${list(stopped)}`)
    if (status === 'ok' && reasons.length > 0) status = 'degraded'
    return {
      status,
      reasons,
      ownedPartitions: this.states.size,
      inFlight: this.inFlight,
      oldestInFlightAgeMs: oldest === undefined ? undefined : now - oldest,
      lastCommitAgeMs: this.lastCommitAckAt === undefined ? undefined : now - this.lastCommitAckAt,
      stalled,
      starved,
      stopped,
    }
  }

  /** The monitor's view of owned partitions in their current epoch (revoking ones are on their way out). */
  private *watched(): Iterable<WatchedPartition> {
    for (const s of this.states.values()) {
      if (s.status !== 'active' || s.fenced) continue
      const highest = s.tracker.highestSeen
      yield {
        topic: s.topic,
        partition: s.partition,
        epoch: s.epoch,
        watermark: s.tracker.watermark(),
        committed: s.committed,
        position: highest === undefined ? s.tracker.watermark() : nextOffsetAfter(highest),
        endOffset: s.endOffset,
        lastDeliveryAt: s.lastDeliveryAt,
        expectsRecords: !s.stopped && !s.paused && !this.closing,
      }
    }
  }

  // ---------------------------------------------------------------- internals: arrival

  private arrive(record: EngineRecord<N>, now: number): void {
    const state = this.lookup(record.topic, record.partition)
    if (state === undefined) return this.drop(record, 'not-assigned')
    state.lastDeliveryAt = now
    if (state.status !== 'active' || state.stopped || this.closing) return this.drop(record, 'not-dispatching')
    if (!state.tracker.accepts(record.offset)) return this.drop(record, 'duplicate')
    const lane = this.laneFor(state, record)
    const entry = new Entry(record, state, state.epoch, lane, now)
    state.tracker.track(entry)
    this.inFlight++
    if (!state.overBound && state.tracker.inFlight >= this.options.maxInFlightPerPartition) {
      state.overBound = true
      this.flowDirty.add(state)
    }
    if (!this.globalOver && this.inFlight >= this.options.maxInFlight) {
      this.globalOver = true
      this.flowAll = true
    }
    lane.queue.pushBack(entry)
    this.offerLane(lane)
  }

  private advance(topic: string, partition: number, next: CommitOffset): void {
    const state = this.lookup(topic, partition)
    // Only where records are still accepted: a partition that drops arriving records (revoking,
    // stopped, closing) would otherwise step its watermark over records nobody processed.
    if (state === undefined || state.fenced || state.status !== 'active' || state.stopped || this.closing) return
    state.lastDeliveryAt = this.clock.now()
    if (state.tracker.advancePosition(next)) this.watermarkMoved(state)
  }

  private drop(record: EngineRecord<N>, reason: CommitEngineEvents<N>['record.dropped']['reason']): void {
    if (this.events.has('record.dropped')) this.events.emit('record.dropped', { record, reason })
  }

  private laneFor(state: PartitionState<N>, record: EngineRecord<N>): Lane<N> {
    if (state.lane !== undefined) return state.lane
    const lanes = state.keyLanes as Map<string, Lane<N>>
    const key = laneKey(record.key)
    let lane = lanes.get(key)
    if (lane === undefined) {
      lane = new Lane(state, 1, key)
      lanes.set(key, lane)
    }
    return lane
  }

  // ---------------------------------------------------------------- internals: dispatch

  private canDispatch(state: PartitionState<N>): boolean {
    return state.status === 'active' && !state.stopped && state.syncBlocks === 0 && !this.closing
  }

  private offerLane(lane: Lane<N>): void {
    if (lane.ready || lane.retired || lane.queue.size === 0 || lane.active >= lane.limit || !this.canDispatch(lane.state)) return
    lane.ready = true
    this.readyLanes.pushBack(lane)
  }

  private offerLanes(state: PartitionState<N>): void {
    for (const lane of state.lanes()) this.offerLane(lane)
  }

  /** A lane gave an entry back: offer it again, or forget an idle key lane (memory follows in-flight). */
  private giveBack(lane: Lane<N>): void {
    if (lane.key !== undefined && lane.queue.size === 0 && lane.active === 0) {
      if (!lane.retired && lane.state.keyLanes?.get(lane.key) === lane) lane.state.keyLanes.delete(lane.key)
      return
    }
    this.offerLane(lane)
  }

  private pump(): void {
    while (this.running < this.options.concurrency) {
      const lane = this.readyLanes.shift()
      if (lane === undefined) return
      lane.ready = false
      if (lane.retired || lane.queue.size === 0 || lane.active >= lane.limit || !this.canDispatch(lane.state)) continue
      const entry = lane.queue.shift() as Entry<N>
      // Acked through engine.ack() while still queued: nothing left to run.
      if (!entry.done) this.dispatch(entry)
      this.offerLane(lane)
    }
  }

  private dispatch(entry: Entry<N>): void {
    const state = entry.state
    entry.lane.active++
    state.running++
    this.running++
    entry.attempt++
    let result: unknown
    try {
      result = this.handler(entry.record, new Context(this, entry, state.controller.signal))
    } catch (error) {
      this.settled(entry, false, error)
      return
    }
    if (!isThenable(result)) {
      this.settled(entry, true, undefined)
      return
    }
    const settle = (ok: boolean, error: unknown): void => {
      this.settled(entry, ok, error)
      this.reconcile()
    }
    try {
      result.then(
        () => settle(true, undefined),
        (error: unknown) => settle(false, error),
      )
    } catch (error) {
      this.settled(entry, false, error)
    }
  }

  private settled(entry: Entry<N>, ok: boolean, error: unknown): void {
    const state = entry.state
    state.running--
    this.running--
    if (!this.isCurrent(entry)) {
      // Released or reset meanwhile: the outcome belongs to an old epoch and is dropped.
      entry.lane.active--
      this.giveBack(entry.lane)
    } else if (ok) {
      entry.lane.active--
      if (!this.options.manualAck) this.finish(entry)
      this.giveBack(entry.lane)
    } else {
      this.failed(entry, error)
    }
    if (state.running === 0) state.drained?.()
  }

  // ---------------------------------------------------------------- internals: failures

  private failed(entry: Entry<N>, cause: unknown): void {
    const state = entry.state
    const record = entry.record
    const attempt = entry.attempt
    const error = new ProcessingError('HANDLER_FAILED', record, attempt, cause)
    if (state.status !== 'active' || state.stopped || this.closing) {
      // Revoking, closing or stopped: leave it unfinished; the watermark stays before it and the
      // next owner (or the next run) gets it again.
      entry.lane.active--
      this.giveBack(entry.lane)
      this.events.emit('record.failed', { record, error, attempt, action: 'abandon' })
      return
    }
    if (this.shouldRetry(attempt, cause)) {
      this.events.emit('record.failed', { record, error, attempt, action: 'retry' })
      this.scheduleRetry(entry, this.retryDelay(attempt, cause))
      return
    }
    const action = this.options.failure.then
    this.events.emit('record.failed', { record, error, attempt, action })
    this.logger.warn('record failed', { ...describe(state), offset: record.offset.toString(), attempts: attempt, action })
    switch (action) {
      case 'skip':
        entry.lane.active--
        this.events.emit('record.skipped', { record, error, attempts: attempt })
        this.finish(entry)
        this.giveBack(entry.lane)
        return
      case 'dead-letter':
        this.deadLetter(entry, error)
        return
      case 'stop':
      case 'stop-consumer':
        entry.lane.active--
        this.stopPartition(state, entry, error)
        if (action === 'stop-consumer') this.stopConsumer(error)
        return
    }
  }

  private shouldRetry(attempt: number, cause: unknown): boolean {
    try {
      return this.options.failure.shouldRetry(attempt, cause)
    } catch (error) {
      this.logger.error('failure.retries threw; not retrying', { error: String(error) })
      return false
    }
  }

  private retryDelay(attempt: number, cause: unknown): number {
    try {
      return this.options.failure.delayMs(attempt, cause)
    } catch (error) {
      this.logger.error('failure.backoff threw; retrying at once', { error: String(error) })
      return 0
    }
  }

  /** The lane stays occupied during the backoff, so ordering holds: the retry goes first. */
  private scheduleRetry(entry: Entry<N>, delayMs: number): void {
    const state = entry.state
    state.retrying.add(entry)
    this.retrying++
    entry.retry = this.clock.schedule(delayMs, () => {
      entry.retry = undefined
      state.retrying.delete(entry)
      this.retrying--
      // Every path that retires a lane cancels its retries first, so the lane is live here.
      entry.lane.active--
      entry.lane.queue.pushFront(entry)
      this.offerLane(entry.lane)
      this.reconcile()
    })
  }

  private cancelRetries(state: PartitionState<N>): void {
    for (const entry of state.retrying) {
      entry.retry?.()
      entry.retry = undefined
      entry.lane.active--
      this.retrying--
    }
    state.retrying.clear()
  }

  private deadLetter(entry: Entry<N>, error: ProcessingError): void {
    const state = entry.state
    state.running++
    this.running++
    const settle = (ok: boolean, cause: unknown): void => {
      state.running--
      this.running--
      entry.lane.active--
      if (this.isCurrent(entry)) {
        if (ok) {
          this.events.emit('record.dead-lettered', { record: entry.record, error, attempts: entry.attempt })
          this.finish(entry)
        } else {
          this.logger.error('dead-letter produce failed; stopping the partition', { ...describe(state), error: String(cause) })
          this.stopPartition(state, entry, new ProcessingError('DEAD_LETTER_FAILED', entry.record, entry.attempt, cause))
        }
      }
      this.giveBack(entry.lane)
      if (state.running === 0) state.drained?.()
      this.reconcile()
    }
    let produced: Promise<void>
    try {
      produced = Promise.resolve((this.port.deadLetter as NonNullable<ClientPort<N>['deadLetter']>)(entry.record, error, entry.attempt))
    } catch (thrown) {
      produced = Promise.reject(thrown)
    }
    produced.then(
      () => settle(true, undefined),
      (cause: unknown) => settle(false, cause),
    )
  }

  private stopPartition(state: PartitionState<N>, entry: Entry<N>, error: ProcessingError): void {
    if (!state.stopped) {
      state.stopped = true
      this.flowDirty.add(state)
    }
    this.events.emit('partition.stopped', { topic: state.topic, partition: state.partition, epoch: state.epoch, record: entry.record, error })
  }

  /** Reached once: afterwards every partition is stopped, so failures are abandoned instead. */
  private stopConsumer(error: ProcessingError): void {
    this.consumerStopped = true
    for (const state of this.states.values()) {
      if (state.status === 'active' && !state.stopped) {
        state.stopped = true
        this.flowDirty.add(state)
      }
    }
    this.logger.error('consumer stopped by the failure policy', { error: error.message })
    this.events.emit('consumer.stopped', { error })
  }

  // ---------------------------------------------------------------- internals: done-ness and commits

  private isCurrent(entry: Entry<N>): boolean {
    const state = entry.state
    return entry.epoch === state.epoch && !state.fenced
  }

  private finish(entry: Entry<N>): void {
    if (entry.done) return
    const state = entry.state
    const moved = state.tracker.complete(entry)
    this.inFlight--
    if (state.overBound && state.tracker.inFlight <= this.resumePartitionAt) {
      state.overBound = false
      this.flowDirty.add(state)
    }
    if (this.globalOver && this.inFlight <= this.resumeGlobalAt) {
      this.globalOver = false
      this.flowAll = true
    }
    this.policyState.recordsSinceCommit++
    if (moved) this.watermarkMoved(state)
    this.decide('record', state)
  }

  private watermarkMoved(state: PartitionState<N>): void {
    this.policyState.pending = true
    if (this.policy.kind === 'auto') this.storeDirty.add(state)
  }

  private decide(trigger: CommitTrigger, state: PartitionState<N> | undefined): void {
    const policyState = this.policyState
    policyState.trigger = trigger
    let decision: CommitDecision
    // NaN, not a stale time: a policy that declared it ignores time on records cannot be fooled.
    const now = trigger !== 'record' || this.policy.timeOnRecord ? this.clock.now() : Number.NaN
    try {
      decision = this.policy.decide(policyState as CommitPolicyState, now)
    } catch (error) {
      this.logger.error('commit policy threw; not committing', { error: String(error) })
      return
    }
    if (decision === 'none') return
    if (decision !== 'async' && decision !== 'sync') {
      this.logger.error("commit policy returned an unknown decision; expected 'none', 'async' or 'sync'", { decision: String(decision) })
      return
    }
    policyState.recordsSinceCommit = 0
    policyState.pending = false
    policyState.lastCommitAt = Number.isNaN(now) ? this.clock.now() : now
    this.tickTimer?.()
    this.tickTimer = undefined
    if (decision === 'async') {
      this.pipeline.request('all', false, 'policy')
      return
    }
    // A sync decision holds dispatch of the partition(s) until the broker answered.
    const blocked = state !== undefined ? [state] : [...this.states.values()].filter((s) => s.status === 'active')
    if (blocked.length === 0) this.pipeline.request('all', true, 'policy')
    for (const s of blocked) {
      s.syncBlocks++
      this.pipeline.request('all', true, 'policy', s)
    }
  }

  private prepare(scope: CommitScope<PartitionState<N>>): Prepared<N> {
    const entries: CommitEntry[] = []
    const targets: Target<N>[] = []
    const consider = (state: PartitionState<N>): void => {
      // Offsets are read at send time from the live state: a released partition (stale epoch)
      // can never be committed, and a coalesced request always carries the latest watermark.
      if (state.status === 'released') return
      const offset = state.tracker.watermark()
      if (offset === undefined || offset === state.committed) return
      entries.push(this.commitEntry(state, offset))
      targets.push({ state, epoch: state.epoch, offset })
    }
    if (scope === 'all') for (const state of this.states.values()) consider(state)
    else for (const state of scope) consider(state)
    return { entries, targets }
  }

  private commitEntry(state: PartitionState<N>, offset: CommitOffset): CommitEntry {
    const leaderEpoch = this.port.capabilities.leaderEpoch ? state.tracker.leaderEpoch : undefined
    return leaderEpoch === undefined
      ? { topic: state.topic, partition: state.partition, offset }
      : { topic: state.topic, partition: state.partition, offset, leaderEpoch }
  }

  private applyCommitted(prepared: Prepared<N>): void {
    for (const target of prepared.targets) {
      const state = target.state
      if (state.status !== 'released' && state.epoch === target.epoch) state.committed = target.offset
      else this.logger.debug('commit reply for an old epoch ignored', { ...describe(state), epoch: target.epoch })
    }
  }

  private releaseBlocks(blocked: readonly PartitionState<N>[]): void {
    for (const state of blocked) {
      state.syncBlocks--
      if (state.syncBlocks === 0) this.offerLanes(state)
    }
    this.reconcile()
  }

  // ---------------------------------------------------------------- internals: revoke, lose, close

  private async revoke(states: readonly PartitionState<N>[]): Promise<void> {
    for (const state of states) this.stopDispatch(state)
    this.reconcile()
    const timedOut = await this.drain(states, 'PARTITION_REVOKED')
    for (const state of states) this.fence(state, timedOut)
    if (this.policy.kind !== 'none') {
      const outcome = this.pipeline.flush(new Set(states), 'revoke', false)
      this.reconcile()
      const result = await outcome
      if (!result.ok) this.logger.warn('commit on revoke failed', { code: result.error.code })
    }
    for (const state of states) {
      if (state.status === 'released') continue
      this.release(state, 'PARTITION_REVOKED')
      this.events.emit('partition.revoked', { topic: state.topic, partition: state.partition, epoch: state.epoch, committed: state.committed })
    }
  }

  private async shutdown(): Promise<void> {
    this.closing = true
    this.liveness.stop()
    this.tickTimer?.()
    this.tickTimer = undefined
    const ongoing: Promise<void>[] = []
    const states: PartitionState<N>[] = []
    for (const state of this.states.values()) {
      // A partition is revoking exactly when its revoke is running.
      if (state.revoking !== undefined) ongoing.push(state.revoking)
      else states.push(state)
    }
    for (const state of states) this.stopDispatch(state)
    this.reconcile()
    const timedOut = await this.drain(states, 'ENGINE_CLOSED')
    for (const state of states) this.fence(state, timedOut)
    await Promise.all(ongoing)
    this.pipeline.unpark()
    let error: CommitError | undefined
    if (this.policy.kind !== 'none') {
      const outcome = this.pipeline.flush('all', 'close', false)
      this.reconcile()
      const result = await outcome
      if (!result.ok) error = result.error
    }
    for (const state of [...this.states.values()]) this.release(state, 'ENGINE_CLOSED')
    this.pipeline.close()
    this.closedFlag = true
    this.reconcile()
    for (const waiter of this.capacityWaiters) waiter.resolve()
    this.capacityWaiters = []
    this.events.emit('closed', { error })
    if (error !== undefined && (error.code === 'FATAL' || error.code === 'RETRIES_EXHAUSTED')) throw error
  }

  /** Stops dispatch; queued records stay tracked as unfinished, so the watermark stays before them. */
  private stopDispatch(state: PartitionState<N>): void {
    if (state.status === 'active') state.status = 'revoking'
    this.cancelRetries(state)
    state.resetLanes(this.keyed, this.laneLimit)
  }

  /**
   * Waits until no handler of these partitions runs. When the timeout expires first, their
   * signals are aborted and the wait ends: revoke must not outlive the rebalance timeout.
   * Handlers get the whole grace period before the signal fires, so well-behaved ones finish.
   */
  private drain(states: readonly PartitionState<N>[], code: EngineErrorCode): Promise<boolean> {
    const busy = (): boolean => states.some((s) => s.running > 0)
    if (!busy()) return Promise.resolve(false)
    return new Promise((resolve) => {
      let cancel: CancelTimer | undefined
      const end = (timedOut: boolean): void => {
        for (const s of states) s.drained = undefined
        cancel?.()
        resolve(timedOut)
      }
      const check = (): void => {
        if (!busy()) end(false)
      }
      for (const s of states) s.drained = check
      cancel = this.clock.schedule(this.options.drainTimeoutMs, () => {
        cancel = undefined
        for (const s of states) {
          if (s.running > 0) s.controller.abort(new EngineError(code, `${s.topic}[${s.partition}]: drain timed out after ${this.options.drainTimeoutMs} ms`))
        }
        end(true)
      })
    })
  }

  /**
   * Freezes the partition BEFORE its final commit: acks arriving later are dropped, so the
   * committed offset is exactly the contiguous done prefix and nothing done stays uncommitted.
   */
  private fence(state: PartitionState<N>, timedOut: boolean): void {
    if (state.fenced) return
    state.fenced = true
    this.events.emit('partition.drained', {
      topic: state.topic,
      partition: state.partition,
      epoch: state.epoch,
      watermark: state.tracker.watermark(),
      timedOut,
    })
  }

  /** Callers pass owned partitions only (released ones are no longer in the map). */
  private release(state: PartitionState<N>, code: EngineErrorCode): void {
    const wasPaused = state.paused
    state.status = 'released'
    state.fenced = true
    state.paused = false
    this.cancelRetries(state)
    state.resetLanes(this.keyed, this.laneLimit)
    this.forgetInFlight(state)
    this.states.delete(topicPartitionKey(state.topic, state.partition))
    if (this.cached === state) this.cached = undefined
    this.flowDirty.delete(state)
    this.storeDirty.delete(state)
    if (!state.controller.signal.aborted) state.controller.abort(new EngineError(code, `${state.topic}[${state.partition}] was released`))
    // Some clients keep pause state across assignments; never hand a paused partition onwards.
    if (wasPaused && code !== 'ENGINE_CLOSED') this.callPort('resume', [state.toTopicPartition()])
  }

  private forgetInFlight(state: PartitionState<N>): void {
    this.inFlight -= state.tracker.inFlight
    if (this.globalOver && this.inFlight <= this.resumeGlobalAt) {
      this.globalOver = false
      this.flowAll = true
    }
  }

  // ---------------------------------------------------------------- internals: reconcile

  /**
   * Runs after every external event: dispatch, flow control, offset store, commit kick, timer.
   * Re-entrant calls (a synchronous handler calling ack, a listener calling commit) only flag
   * another round, so nothing recurses and every round sees a consistent state.
   */
  private reconcile(): void {
    if (this.reconciling) {
      this.again = true
      return
    }
    this.reconciling = true
    try {
      do {
        this.again = false
        this.pump()
        this.applyFlow()
        this.storeOffsets()
        this.pipeline.kick()
        this.armTick()
      } while (this.again)
    } finally {
      this.reconciling = false
    }
    this.notifyWaiters()
  }

  private applyFlow(): void {
    if (!this.flowAll && this.flowDirty.size === 0) return
    const candidates = this.flowAll ? this.states.values() : this.flowDirty.values()
    const pause: TopicPartition[] = []
    const resume: TopicPartition[] = []
    for (const state of candidates) {
      if (state.status !== 'active') continue
      const wanted = state.overBound || this.globalOver || state.stopped
      if (wanted === state.paused) continue
      state.paused = wanted
      ;(wanted ? pause : resume).push(state.toTopicPartition())
    }
    this.flowAll = false
    this.flowDirty.clear()
    if (pause.length > 0) this.callPort('pause', pause)
    if (resume.length > 0) this.callPort('resume', resume)
  }

  private callPort(method: 'pause' | 'resume', partitions: TopicPartition[]): void {
    const report = (error: unknown): void => this.logger.error(`port.${method} failed`, { error: String(error) })
    try {
      const result = this.port[method](partitions)
      if (isThenable(result)) result.then(undefined, report)
    } catch (error) {
      report(error)
    }
    this.events.emit(method === 'pause' ? 'partitions.paused' : 'partitions.resumed', { partitions })
  }

  private storeOffsets(): void {
    if (this.storeDirty.size === 0) return
    const entries: CommitEntry[] = []
    for (const state of this.storeDirty) {
      // Only partitions whose watermark moved are here, so it is defined and new.
      const offset = state.tracker.watermark() as CommitOffset
      state.stored = offset
      entries.push(this.commitEntry(state, offset))
    }
    this.storeDirty.clear()
    const report = (error: unknown): void => this.logger.error('port.storeOffsets failed', { error: String(error) })
    try {
      const result = (this.port.storeOffsets as NonNullable<ClientPort<N>['storeOffsets']>)(entries)
      if (isThenable(result)) result.then(undefined, report)
    } catch (error) {
      report(error)
    }
  }

  /** Time-based policies need a tick so that a quiet consumer still commits its last records. */
  private armTick(): void {
    const tickMs = this.policy.tickMs
    if (tickMs === undefined || this.tickTimer !== undefined || this.closing) return
    const state = this.policyState
    if (!state.pending && state.recordsSinceCommit === 0) return
    const at = Math.max(state.lastCommitAt + tickMs, this.lastTickAt + tickMs)
    this.tickTimer = this.clock.schedule(Math.max(0, at - this.clock.now()), () => {
      this.tickTimer = undefined
      this.lastTickAt = this.clock.now()
      this.decide('timer', undefined)
      this.reconcile()
    })
  }

  private hasCapacity(partition: TopicPartition | undefined): boolean {
    if (this.closing) return true
    if (this.globalOver) return false
    if (partition === undefined) return true
    const state = this.lookup(partition.topic, partition.partition)
    return state === undefined || state.status !== 'active' || state.stopped || !state.overBound
  }

  private isIdle(): boolean {
    return this.running === 0 && this.readyLanes.size === 0 && this.retrying === 0 && this.pipeline.idle
  }

  private notifyWaiters(): void {
    if (this.capacityWaiters.length > 0) {
      const waiting = this.capacityWaiters
      this.capacityWaiters = []
      for (const waiter of waiting) {
        if (this.hasCapacity(waiter.partition)) waiter.resolve()
        else this.capacityWaiters.push(waiter)
      }
    }
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      const waiting = this.idleWaiters
      this.idleWaiters = []
      for (const resolve of waiting) resolve()
    }
  }

  // ---------------------------------------------------------------- internals: helpers

  private lookup(topic: string, partition: number): PartitionState<N> | undefined {
    const cached = this.cached
    if (cached !== undefined && cached.partition === partition && cached.topic === topic) return cached
    const state = this.states.get(topicPartitionKey(topic, partition))
    if (state !== undefined) this.cached = state
    return state
  }

  private checkOffset(offset: unknown): void {
    if (typeof offset !== 'bigint' || offset < 0n) {
      throw new OffsetError(offset, 'expected a non-negative bigint offset (convert with offsetFromString/offsetFromNumber at the adapter edge)')
    }
  }
}
