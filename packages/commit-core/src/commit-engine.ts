import type { ClientPort, EngineRecord, PartitionOffset } from './client-port.js'
import type { CancelTimer } from './clock.js'
import { CommitError } from './commit-error.js'
import type { CommitEngineEvents } from './commit-engine-events.js'
import { resolveCommitEngineOptions, type CommitEngineOptions, type OutputMessage, type ResolvedOptions } from './commit-engine-options.js'
import { CommitPipeline, type CommitOutcome } from './commit-pipeline.js'
import { CommitScheduler } from './commit-scheduler.js'
import { ConfigError } from './config-error.js'
import { Dispatcher } from './dispatcher.js'
import { applyCommitted, prepareCommit } from './commit-targets.js'
import { drainPartitions } from './drain-partitions.js'
import { EngineError, type EngineErrorCode } from './engine-error.js'
import { engineHealth, partitionStats, watchedPartitions, type CommitEngineStats, type EngineHealth, type PartitionStats } from './engine-stats.js'
import { FlowControl } from './flow-control.js'
import { LivenessMonitor } from './liveness-monitor.js'
import type { CommitOffset } from './offset.js'
import { OffsetError } from './offset-error.js'
import { outputRecords } from './output-records.js'
import { OwnedPartitions } from './owned-partitions.js'
import { PartitionState, TrackedEntry, partitionFields, type PreparedOffsets } from './partition-state.js'
import { PartitionTracker } from './partition-tracker.js'
import { EngineBatch } from './record-batch.js'
import { RecordFailures } from './record-failures.js'
import { redactSecrets } from './redact-secrets.js'
import type { TopicPartition } from './topic-partition.js'
import { TypedEmitter, type Listener } from './typed-emitter.js'

export type { CommitEngineStats, EngineHealth, PartitionStats } from './engine-stats.js'

export interface AssignedPartition extends TopicPartition {
  /** Where reading starts (committed offset or reset position), when the client knows it. */
  readonly position?: CommitOffset | undefined
}

/** Extra information an adapter can pass with {@link CommitEngine.recordsArrived}. */
export interface RecordsArrivedOptions {
  /**
   * Fetch positions (next offset the client will read) after these records. They let the
   * watermark step over offsets that will never be delivered: compacted records, transaction
   * markers. A position must not be ahead of records the client has not handed over yet.
   */
  readonly fetchPositions?: readonly PartitionOffset[] | undefined
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
  /** Subscribes to an engine event. Returns a function that unsubscribes. */
  on<K extends keyof CommitEngineEvents<N>>(event: K, listener: Listener<CommitEngineEvents<N>[K]>): () => void
  /** A snapshot of every owned partition and the engine. */
  stats(): CommitEngineStats
  /** For readiness/liveness probes: `ok`, or what is stalled, starved, stopped or failed. */
  health(): EngineHealth
  /** true once close() finished. */
  readonly closed: boolean
}

/**
 * Creates the engine an adapter drives. The committed offset of a partition never passes a
 * record that is not finished, and at most one commit is outstanding at a time.
 *
 * @throws {@link ConfigError} (`INVALID_OPTION`) naming the first bad option.
 */
export function createCommitEngine<N = unknown>(options: CommitEngineOptions<N>): CommitEngine<N> {
  return new Engine(resolveCommitEngineOptions(options))
}

/**
 * Owns the partitions (assignment, revoke, loss, seek, close) and runs `reconcile` after every
 * event; the parts it composes own the rest: the dispatcher (lanes, handlers), record failures,
 * the commit scheduler (policy, tick, sync holds, offset store), flow control (in-flight bounds,
 * pause/resume) and the commit pipeline (single-flight commits).
 */
class Engine<N> implements CommitEngine<N> {
  private readonly options: ResolvedOptions<N>
  private readonly port: ClientPort<N>
  private readonly events: TypedEmitter<CommitEngineEvents<N>>
  private readonly dispatcher: Dispatcher<N>
  private readonly failures: RecordFailures<N>
  private readonly scheduler: CommitScheduler<N>
  private readonly flow: FlowControl<N>
  private readonly pipeline: CommitPipeline<PartitionState<N>, PreparedOffsets<N>>
  private readonly liveness: LivenessMonitor
  private readonly states = new OwnedPartitions<N>()
  private idleWaiters: Array<() => void> = []
  private closing = false
  private closedFlag = false
  private closePromise: Promise<void> | undefined
  private reconciling = false
  private again = false
  private lastCommitAckAt: number | undefined
  /** liveness.membershipProbeMs, or 0 where the engine does not probe (see below). */
  private readonly probeMs: number
  /** When the group coordinator last answered this member: a commit, an assignment, a revocation. */
  private heardAt: number
  /** A membership probe under way: dispatch waits for it. */
  private probing: { readonly since: number; fenced: boolean; warned: boolean; retry: CancelTimer | undefined } | undefined
  private clientFailure: { readonly error: unknown; readonly restarting: boolean } | undefined

  constructor(options: ResolvedOptions<N>) {
    this.options = options
    const { port, clock, logger } = options
    this.port = port
    // Probes only where core sends the commits and a commit carries no outputs: 'manual' commits
    // only what the user asks for, and a transaction of a fenced member is aborted anyway.
    const probing = !options.transactional && !['none', 'auto', 'manual'].includes(options.policy.kind)
    this.probeMs = probing ? options.liveness.membershipProbeMs : 0
    this.heardAt = clock.now()
    const events = (this.events = new TypedEmitter(logger))
    const emit = <K extends keyof CommitEngineEvents<N>>(event: K, payload: CommitEngineEvents<N>[K]): void => events.emit(event, payload)
    const owned = (): Iterable<PartitionState<N>> => this.states.values()
    const reconcile = (): void => this.reconcile()
    const finish = (entry: TrackedEntry<N>): void => this.finish(entry)
    const closing = (): boolean => this.closing
    const { handler, ordering, concurrency, manualAck, maxInFlight, maxInFlightPerPartition, failure, policy } = options
    this.dispatcher = new Dispatcher<N>({
      handler, ordering, concurrency, manualAck, finish, reconcile,
      ack: (entry) => this.ackEntry(entry),
      send: (entry, attempt, topic, messages) => this.send(entry, attempt, topic, messages),
      failed: (entry, error) => {
        // What a failed attempt sent is never produced: the retry sends afresh.
        entry.outputs = undefined
        entry.sendingAttempt = 0
        this.failures.failed(entry, error)
      },
    })
    this.flow = new FlowControl<N>({
      port, logger, maxInFlight, maxInFlightPerPartition, emit, owned, closing,
      lookup: (p) => this.states.get(p.topic, p.partition),
    })
    this.failures = new RecordFailures<N>({
      clock, logger, failure, port, transactional: options.transactional, lanes: this.dispatcher, emit, finish, owned, reconcile,
      stopped: (state) => this.flow.changed(state),
    })
    this.scheduler = new CommitScheduler<N>({
      clock, logger, policy, port, owned, closing, reconcile,
      requestCommit: (sync, hold) => this.pipeline.request('all', sync, 'policy', hold),
      dispatchable: (state) => this.dispatcher.offerLanes(state),
    })
    this.pipeline = new CommitPipeline<PartitionState<N>, PreparedOffsets<N>>({
      port, clock, logger,
      maxAttempts: options.commitAttempts,
      delayMs: options.commitDelayMs,
      source: {
        prepare: (scope, probe) => prepareCommit(scope, this.states.values(), port.capabilities.leaderEpoch, options.transactional, probe),
        committed: (prepared) => applyCommitted(prepared, logger, (state, count) => this.flow.committed(state, count)),
        liftSyncHolds: (held) => this.scheduler.liftSyncHolds(held),
        wake: reconcile,
      },
      observer: {
        started: (request, attempt) => {
          this.liveness.commitStarted(request)
          emit('commit.started', { request, attempt })
        },
        succeeded: (request, attempt, durationMs) => {
          this.lastCommitAckAt = this.heardAt = clock.now()
          this.liveness.commitSucceeded(request)
          emit('commit.succeeded', { request, attempt, durationMs })
        },
        failed: (request, error, attempt, willRetry) => {
          // Refused as "rebalance in progress": the coordinator knows this member and its generation.
          if (error.code === 'REBALANCE_IN_PROGRESS') this.heardAt = clock.now()
          this.liveness.commitFailed(request, error, willRetry)
          const level = willRetry ? 'warn' : 'error'
          logger[level]('commit failed', { code: error.code, attempt, willRetry, reason: request.reason, cause: String(error.cause) })
          emit('commit.failed', { request, error, attempt, willRetry })
        },
      },
    })
    const queryEndOffsets = port.queryEndOffsets
    // With commit 'none' nothing moves the group's committed offsets: the group check would cry wolf.
    const queryGroupOffsets = options.policy.kind === 'none' ? undefined : port.queryGroupOffsets
    this.liveness = new LivenessMonitor({
      clock, logger,
      options: options.liveness,
      owned: () => watchedPartitions(this.states.values(), this.closing),
      emit: (event, payload) => emit(event, payload as CommitEngineEvents<N>[typeof event]),
      ...(queryEndOffsets && { queryEndOffsets: (partitions) => queryEndOffsets.call(port, partitions) }),
      ...(queryGroupOffsets && { queryGroupOffsets: () => queryGroupOffsets.call(port) }),
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
      this.options.logger.warn('assigned() after close() ignored')
      return
    }
    for (const p of partitions) {
      if (p.position !== undefined) this.checkOffset(p.position)
    }
    for (const p of partitions) {
      const existing = this.states.get(p.topic, p.partition)
      if (existing !== undefined && existing.active) {
        this.options.logger.debug('partition already assigned; keeping its state', partitionFields(p))
        continue
      }
      if (existing !== undefined) {
        // Contract breach (the adapter must await revoked() first). The new owner epoch wins;
        // the old one is released without its final commit rather than racing the new one.
        this.options.logger.error('assigned() while the partition is still revoking; releasing the old epoch', partitionFields(p))
        this.release(existing, 'PARTITION_REVOKED')
        this.events.emit('partition.revoked', { topic: existing.topic, partition: existing.partition, epoch: existing.epoch, committed: existing.committed })
      }
      const state = new PartitionState<N>(p.topic, p.partition, this.states.nextEpoch(), new PartitionTracker(p.position), this.options.clock.now())
      this.dispatcher.resetLanes(state)
      if (this.failures.consumerStopped) state.stopped = true
      this.states.add(state)
      this.flow.changed(state)
      this.events.emit('partition.assigned', { topic: p.topic, partition: p.partition, epoch: state.epoch, position: p.position })
    }
    // A client that restarted itself is back once it is assigned again.
    if (this.clientFailure?.restarting === true) this.clientFailure = undefined
    this.heardFromGroup()
    this.pipeline.unpark()
    this.reconcile()
  }

  async revoked(partitions: readonly TopicPartition[]): Promise<void> {
    this.heardFromGroup()
    const fresh: PartitionState<N>[] = []
    const ongoing: Promise<void>[] = []
    for (const p of partitions) {
      const state = this.states.get(p.topic, p.partition)
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
      const state = this.states.get(p.topic, p.partition)
      if (state === undefined) continue
      this.stopDispatch(state)
      this.release(state, 'PARTITION_LOST')
      this.events.emit('partition.lost', { topic: state.topic, partition: state.partition, epoch: state.epoch })
    }
    // A fenced probe waited for this: what is still owned is probed afresh.
    if (this.probing?.fenced === true) this.endProbe()
    this.pipeline.unpark()
    this.reconcile()
  }

  seek(partition: TopicPartition, offset: CommitOffset): boolean {
    this.checkOffset(offset)
    const state = this.states.get(partition.topic, partition.partition)
    if (state === undefined || !state.active) return false
    state.controller.abort(new EngineError('PARTITION_RESET', `${partition.topic}[${partition.partition}] was reset by a seek`))
    this.failures.cancelRetries(state)
    this.flow.forget(state)
    state.restart(this.states.nextEpoch(), new PartitionTracker(offset), this.options.clock.now())
    this.dispatcher.resetLanes(state)
    state.stopped = this.failures.consumerStopped
    this.flow.reset(state)
    this.scheduler.watermarkMoved(state)
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
    const now = this.options.clock.now()
    if (this.options.batch) this.arriveBatches(records, now)
    else {
      let state: PartitionState<N> | undefined
      for (const record of records) state = this.arrive(record, state, now)
    }
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
      const state = this.states.get(topic, partition)
      if (state !== undefined) state.endOffset = offset
    }
  }

  clientFailed(thrown: unknown, { restarting }: { readonly restarting: boolean }): void {
    // A client's error can quote its config; nothing secret goes into logs, events or health().
    const error = redactSecrets(thrown)
    this.clientFailure = { error, restarting }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    if (restarting) this.options.logger.warn('the client failed and restarts itself; its partitions are reassigned when it rejoins', { error: message })
    else this.options.logger.error('the client failed and does not restart: nothing more will be consumed', { error: message })
    this.events.emit('client.failed', { error, restarting })
  }

  batchEnd(): void {
    this.scheduler.decide('batch-end', undefined)
    this.reconcile()
  }

  ack(record: EngineRecord<N>): boolean {
    if (typeof record.offset !== 'bigint') return false
    const state = this.states.get(record.topic, record.partition)
    const entry = state?.tracker.find(record.offset)
    // Identity, not offset: the same offset redelivered in a later epoch is a different record.
    if (entry === undefined || entry.record !== record) return false
    return this.ackEntry(entry)
  }

  commit(): Promise<void> {
    this.scheduler.committedByHand()
    const outcome = this.pipeline.flush('all', 'manual', true)
    this.reconcile()
    return outcome.then((result) => {
      if (!result.ok) throw result.error
    })
  }

  whenCapacity(partition?: TopicPartition): Promise<void> {
    return this.flow.whenCapacity(partition)
  }

  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  stats(): CommitEngineStats {
    const now = this.options.clock.now()
    const partitions: PartitionStats[] = []
    for (const s of this.states.values()) partitions.push(partitionStats(s, now, this.liveness))
    return { partitions, inFlight: this.flow.inFlight, running: this.dispatcher.running, committing: this.pipeline.committing }
  }

  health(): EngineHealth {
    return engineHealth({
      now: this.options.clock.now(),
      owned: this.states,
      liveness: this.liveness,
      consumerStopped: this.failures.consumerStopped,
      clientFailure: this.clientFailure,
      inFlight: this.flow.inFlight,
      lastCommitAckAt: this.lastCommitAckAt,
      probingSince: this.probing?.since,
      probeFenced: this.probing?.fenced === true,
      stallMs: this.options.liveness.commitStallMs,
    })
  }

  // ---------------------------------------------------------------- internals: records and done-ness

  /**
   * Tracks and queues a record. A batch mostly holds runs of one partition: `previous` (the
   * partition the previous record was tracked in) spares the rest of a run the lookup and the
   * checks. Returns the partition for the next record, or undefined after a drop: its listener
   * may have changed any partition.
   */
  private arrive(record: EngineRecord<N>, previous: PartitionState<N> | undefined, now: number): PartitionState<N> | undefined {
    let state = previous
    if (state === undefined || state.partition !== record.partition || state.topic !== record.topic) {
      state = this.states.get(record.topic, record.partition)
      if (state === undefined) return this.drop(record, 'not-assigned')
      state.lastDeliveryAt = now
      if (!state.acceptsRecords()) return this.drop(record, 'not-dispatching')
    }
    if (!state.tracker.accepts(record.offset)) return this.drop(record, 'duplicate')
    this.track(new TrackedEntry(record, state, state.epoch, this.dispatcher.laneFor(state, record), now))
    return state
  }

  private track(entry: TrackedEntry<N>): void {
    entry.state.tracker.track(entry)
    this.flow.tracked(entry.state, entry.count)
    this.dispatcher.enqueue(entry)
  }

  /**
   * Batch handler: each run of one partition's records in this delivery becomes one batch, tracked
   * and dispatched as one entry. Records are checked one by one as `arrive` does (not assigned,
   * not dispatching, duplicates are dropped and evented); the rest of the run forms the batch.
   */
  private arriveBatches(records: readonly EngineRecord<N>[], now: number): void {
    let state: PartitionState<N> | undefined
    let run: EngineRecord<N>[] = []
    const flush = (): void => {
      if (state !== undefined && run.length > 0) {
        const batch = new EngineBatch(state.topic, state.partition, run)
        // A drop's listener may have changed the partition meanwhile: only a current one tracks it.
        if (state.acceptsRecords() && state.tracker.accepts(batch.offset)) {
          this.track(new TrackedEntry(batch, state, state.epoch, this.dispatcher.laneFor(state, batch), now))
        }
      }
      run = []
    }
    for (const record of records) {
      if (state === undefined || state.partition !== record.partition || state.topic !== record.topic) {
        flush()
        state = this.states.get(record.topic, record.partition)
        if (state === undefined) {
          this.drop(record, 'not-assigned')
          continue
        }
        state.lastDeliveryAt = now
      }
      if (!state.acceptsRecords()) this.drop(record, 'not-dispatching')
      else if (!state.tracker.accepts(record.offset) || record.offset <= (run.at(-1)?.offset ?? -1n)) this.drop(record, 'duplicate')
      else run.push(record)
    }
    flush()
  }

  private advance(topic: string, partition: number, next: CommitOffset): void {
    const state = this.states.get(topic, partition)
    // Only where records are still accepted: a partition that drops arriving records (revoking,
    // stopped, closing) would otherwise step its watermark over records nobody processed.
    if (state === undefined || !state.acceptsRecords()) return
    state.lastDeliveryAt = this.options.clock.now()
    if (state.tracker.advancePosition(next)) this.scheduler.watermarkMoved(state)
  }

  private drop(record: EngineRecord<N>, reason: CommitEngineEvents<N>['record.dropped']['reason']): undefined {
    if (this.events.has('record.dropped')) this.events.emit('record.dropped', { record, reason })
    return undefined
  }

  /** Used by the handler context's ack() too. */
  private ackEntry(entry: TrackedEntry<N>): boolean {
    if (entry.done || !entry.isCurrent()) return false
    this.finish(entry)
    this.reconcile()
    return true
  }

  private finish(entry: TrackedEntry<N>): void {
    if (entry.done) return
    const state = entry.state
    entry.sendingAttempt = 0
    const moved = state.tracker.complete(entry)
    if (this.options.transactional) {
      // Held, with its outputs, until a transaction commits past it: in flight until then.
      state.held.push({ offset: entry.offset, records: entry.outputs ?? [], count: entry.count })
      state.heldRecords += entry.count
      entry.outputs = undefined
      this.flow.held(state)
    } else {
      this.flow.done(state, entry.count)
    }
    this.scheduler.recordDone(state, moved, entry.count)
  }

  /** `context.send`: collects the outputs of the record's current attempt (transactional mode). */
  private send(entry: TrackedEntry<N>, attempt: number, topic: string, messages: OutputMessage | readonly OutputMessage[]): void {
    if (!this.options.transactional) {
      throw new ConfigError('mode', 'at-least-once', "'transactional' (context.send produces outputs in the transaction that commits their record)")
    }
    const records = outputRecords(topic, messages)
    if (entry.done || !entry.isCurrent() || entry.sendingAttempt !== attempt) {
      throw new EngineError('SEND_AFTER_DONE', `context.send after ${entry.record.topic}[${entry.record.partition}]@${entry.offset} was done, failed this attempt or was released; nothing sent`)
    }
    if (entry.outputs === undefined) entry.outputs = records
    else entry.outputs.push(...records)
  }

  // ---------------------------------------------------------------- internals: revoke, lose, close

  private async revoke(states: readonly PartitionState<N>[]): Promise<void> {
    for (const state of states) this.stopDispatch(state)
    this.reconcile()
    const timedOut = await drainPartitions(states, this.options.clock, this.options.drainTimeoutMs, 'PARTITION_REVOKED')
    for (const state of states) this.fence(state, timedOut)
    if (this.options.policy.kind !== 'none') {
      const outcome = this.pipeline.flush(new Set(states), 'revoke', false)
      this.reconcile()
      const result = await outcome
      if (!result.ok) this.options.logger.warn('commit on revoke failed', { code: result.error.code })
    }
    for (const state of states) {
      if (state.released) continue
      this.release(state, 'PARTITION_REVOKED')
      this.events.emit('partition.revoked', { topic: state.topic, partition: state.partition, epoch: state.epoch, committed: state.committed })
    }
  }

  private async shutdown(): Promise<void> {
    this.closing = true
    this.endProbe()
    this.liveness.stop()
    this.scheduler.stop()
    const ongoing: Promise<void>[] = []
    const states: PartitionState<N>[] = []
    for (const state of this.states.values()) {
      // A partition is revoking exactly when its revoke is running.
      if (state.revoking !== undefined) ongoing.push(state.revoking)
      else states.push(state)
    }
    // From here on no partition is active: nothing is accepted or dispatched any more.
    for (const state of states) this.stopDispatch(state)
    this.reconcile()
    const timedOut = await drainPartitions(states, this.options.clock, this.options.drainTimeoutMs, 'ENGINE_CLOSED')
    for (const state of states) this.fence(state, timedOut)
    await Promise.all(ongoing)
    this.pipeline.unpark()
    const error = this.options.policy.kind === 'none' ? undefined : await this.finalCommit()
    for (const state of [...this.states.values()]) this.release(state, 'ENGINE_CLOSED')
    this.pipeline.close()
    this.closedFlag = true
    this.reconcile()
    this.flow.close()
    this.events.emit('closed', { error })
    if (error !== undefined && (error.code === 'FATAL' || error.code === 'RETRIES_EXHAUSTED' || error.code === 'TIMED_OUT')) throw error
  }

  /**
   * The close commit of every owned partition, re-sent a few times across a rebalance under way
   * (members leaving at the same time, or this member's own rejoin: the client completes it
   * meanwhile, it keeps polling until it disconnects), rather than leave done records to be
   * processed again by the next owner. Bounded by closeTimeoutMs: a coordinator that does not
   * answer must not hold the close (and the process) forever.
   */
  private async finalCommit(): Promise<CommitError | undefined> {
    const { clock, closeTimeoutMs, commitAttempts, commitDelayMs } = this.options
    let timer: CancelTimer | undefined
    let timedOut = false
    const deadline = new Promise<CommitOutcome>((resolve) => {
      timer = clock.schedule(closeTimeoutMs, () => {
        timedOut = true
        resolve({ ok: false, error: new CommitError('TIMED_OUT', `the final commit got no answer within closeTimeoutMs (${closeTimeoutMs} ms); the records done since the last accepted commit will be processed again`) })
      })
    })
    const attempts = (async (): Promise<CommitOutcome> => {
      let result = await this.flushAll()
      for (let attempt = 1; !timedOut && !result.ok && result.error.code === 'REBALANCE_IN_PROGRESS' && attempt < commitAttempts; attempt++) {
        await new Promise<void>((resolve) => clock.schedule(commitDelayMs(attempt, result.ok ? undefined : result.error), resolve))
        if (!timedOut) result = await this.flushAll()
      }
      return result
    })()
    const result = await Promise.race([attempts, deadline])
    timer?.()
    if (!result.ok && result.error.code === 'TIMED_OUT') this.options.logger.warn('close: the final commit got no answer in time; disconnecting without it', { closeTimeoutMs })
    return result.ok ? undefined : result.error
  }

  /** The close commit of every owned partition. */
  private flushAll(): Promise<CommitOutcome> {
    const outcome = this.pipeline.flush('all', 'close', false)
    this.reconcile()
    return outcome
  }

  /** Stops dispatch; queued records stay tracked as unfinished, so the watermark stays before them. */
  private stopDispatch(state: PartitionState<N>): void {
    if (state.active) state.phase = 'draining'
    this.failures.cancelRetries(state)
    this.dispatcher.resetLanes(state)
  }

  /**
   * Freezes the partition BEFORE its final commit: acks arriving later are dropped, so the
   * committed offset is exactly the contiguous done prefix and nothing done stays uncommitted.
   */
  private fence(state: PartitionState<N>, timedOut: boolean): void {
    if (state.fenced) return
    state.phase = 'fenced'
    const { topic, partition, epoch } = state
    this.events.emit('partition.drained', { topic, partition, epoch, watermark: state.tracker.watermark(), timedOut })
  }

  /** Callers pass owned partitions only (released ones are no longer in the map). */
  private release(state: PartitionState<N>, code: EngineErrorCode): void {
    const wasPaused = state.paused
    state.phase = 'released'
    state.paused = false
    this.failures.cancelRetries(state)
    this.dispatcher.resetLanes(state)
    this.flow.forget(state)
    this.states.remove(state)
    this.flow.drop(state)
    this.scheduler.forget(state)
    if (!state.controller.signal.aborted) state.controller.abort(new EngineError(code, `${state.topic}[${state.partition}] was released`))
    // Some clients keep pause state across assignments; never hand a paused partition onwards.
    if (wasPaused && code !== 'ENGINE_CLOSED') this.flow.callPort('resume', [state.toTopicPartition()])
  }

  // ---------------------------------------------------------------- internals: membership probe

  /**
   * Records wait to be dispatched and the coordinator has said nothing for probeMs: before any
   * handler runs, a commit must be accepted (only a member's commit is). A member fenced while it
   * could not reach the coordinator (or while its process was frozen) otherwise processes records
   * of partitions the group has already given to another member until its client learns of it.
   */
  private checkMembership(): void {
    if (this.probing !== undefined || this.closing) return
    const now = this.options.clock.now()
    const silentMs = now - this.heardAt
    if (silentMs < this.probeMs) return
    // Records of partitions no longer owned are dropped at dispatch: nothing to ask about.
    if (!this.ownsAny()) return
    const probe: NonNullable<Engine<N>['probing']> = (this.probing = { since: now, fenced: false, warned: false, retry: undefined })
    this.options.logger.debug('no word from the group coordinator; probing membership before dispatching', { silentMs })
    this.events.emit('membership.probing', { silentMs })
    this.sendProbe(probe)
  }

  private ownsAny(): boolean {
    for (const state of this.states.values()) if (state.active) return true
    return false
  }

  private sendProbe(probe: NonNullable<Engine<N>['probing']>): void {
    this.pipeline.request('all', true, 'policy', undefined, { parkable: false, settle: (outcome) => this.probed(probe, outcome) }, true)
  }

  private probed(probe: NonNullable<Engine<N>['probing']>, outcome: CommitOutcome): void {
    if (this.probing !== probe) return
    const waitedMs = this.options.clock.now() - probe.since
    // Also "confirmed": nothing to commit anywhere (no partition has an offset yet), or a
    // rebalance answer (the coordinator knows this member).
    if (outcome.ok || outcome.error.code === 'REBALANCE_IN_PROGRESS') {
      this.heardFromGroup() // emits 'confirmed'
    } else if (outcome.error.code === 'FENCED') {
      // Removed from the group: dispatch stays held until the client reports the rebalance.
      probe.fenced = true
      this.options.logger.warn('membership probe: this member was removed from the group; holding its records until the client rejoins', { waitedMs })
      this.events.emit('membership.probed', { outcome: 'fenced', waitedMs })
      return
    } else if (!this.closing) {
      // No answer yet (retries exhausted, or the client refused): ask again shortly; dispatch waits.
      const stallMs = this.options.liveness.commitStallMs
      if (!probe.warned && stallMs > 0 && waitedMs >= stallMs) {
        probe.warned = true
        this.options.logger.warn('membership probe unanswered; records are held until the group coordinator answers', { waitedMs, code: outcome.error.code })
      }
      probe.retry = this.options.clock.schedule(Math.min(this.probeMs, 1_000), () => {
        probe.retry = undefined
        if (this.probing !== probe || this.closing) return
        this.sendProbe(probe)
        this.reconcile()
      })
      return
    }
    this.reconcile()
  }

  /** The coordinator answered this member (a commit, an assignment, a revocation): a probe under way is settled. */
  private heardFromGroup(): void {
    const now = (this.heardAt = this.options.clock.now())
    const probe = this.probing
    if (probe === undefined) return
    this.endProbe()
    if (!probe.fenced) this.events.emit('membership.probed', { outcome: 'confirmed', waitedMs: now - probe.since })
  }

  private endProbe(): void {
    this.probing?.retry?.()
    this.probing = undefined
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
        if (this.probeMs > 0 && this.dispatcher.hasReady) this.checkMembership()
        if (this.probing === undefined) this.dispatcher.pump()
        this.flow.apply()
        this.scheduler.storeOffsets()
        // Transactional mode: done records wait for a transaction; over a bound only a commit
        // frees room, whatever the policy's count (it may be above the bound).
        if (this.options.transactional && this.flow.pressured) this.pipeline.request('all', false, 'policy')
        this.pipeline.kick()
        this.scheduler.armTick()
      } while (this.again)
    } finally {
      this.reconciling = false
    }
    this.flow.notify()
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      const waiting = this.idleWaiters
      this.idleWaiters = []
      for (const resolve of waiting) resolve()
    }
  }

  private isIdle(): boolean {
    return this.dispatcher.idle && this.failures.retrying === 0 && this.pipeline.idle
  }

  private checkOffset(offset: unknown): void {
    if (typeof offset !== 'bigint' || offset < 0n) {
      throw new OffsetError(offset, 'expected a non-negative bigint offset (convert with offsetFromString/offsetFromNumber at the adapter edge)')
    }
  }
}
