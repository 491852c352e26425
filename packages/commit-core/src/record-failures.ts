import type { ClientPort, EngineRecord } from './client-port.js'
import type { Clock } from './clock.js'
import type { CommitEngineEvents } from './commit-engine-events.js'
import type { FailurePolicy } from './failure-policy.js'
import type { Logger } from './logger.js'
import { partitionFields, type Lane, type PartitionState, type TrackedEntry } from './partition-state.js'
import { ProcessingError } from './processing-error.js'
import { recordsOf } from './record-batch.js'

type FailureEvent = 'record.failed' | 'record.skipped' | 'record.dead-lettered' | 'partition.stopped' | 'consumer.stopped'

/** The slots of a lane and the running count, as the dispatcher keeps them. */
export interface LaneSlots<N> {
  /** The entry no longer occupies its lane. */
  leave(entry: TrackedEntry<N>): void
  /** Offer the lane again (or forget an idle key lane). */
  giveBack(lane: Lane<N>): void
  /** Leave the lane and queue the entry at its head: it goes first. */
  requeue(entry: TrackedEntry<N>): void
  runStarted(state: PartitionState<N>): void
  runEnded(state: PartitionState<N>): void
}

export interface RecordFailuresDeps<N> {
  readonly clock: Clock
  readonly logger: Logger
  readonly failure: FailurePolicy
  readonly port: Pick<ClientPort<N>, 'deadLetter' | 'deadLetterOutput'>
  /** Dead letters become outputs of their record, produced in the transaction that commits past it. */
  readonly transactional: boolean
  readonly lanes: LaneSlots<N>
  emit<K extends FailureEvent>(event: K, payload: CommitEngineEvents<N>[K]): void
  /** Marks the record done (skipped or dead-lettered records count as done). */
  finish(entry: TrackedEntry<N>): void
  /** The partition's pause state may have to change (it stopped). */
  stopped(state: PartitionState<N>): void
  owned(): Iterable<PartitionState<N>>
  reconcile(): void
}

/**
 * What happens to a record whose handler failed (DESIGN 9): retry with backoff, then skip,
 * dead-letter, stop the partition or stop the consumer. A failure pins the watermark until one
 * of them makes the record done.
 */
export class RecordFailures<N> {
  private retryingCount = 0
  private stoppedConsumer = false

  constructor(private readonly deps: RecordFailuresDeps<N>) {}

  /** Entries waiting for their retry backoff, overall. */
  get retrying(): number {
    return this.retryingCount
  }

  /** The failure policy stopped the consumer: every partition assigned from now on starts stopped. */
  get consumerStopped(): boolean {
    return this.stoppedConsumer
  }

  /** The handler of a current entry failed; the entry still occupies its lane. */
  failed(entry: TrackedEntry<N>, cause: unknown): void {
    const state = entry.state
    const record = entry.record
    const attempt = entry.attempt
    const error = new ProcessingError('HANDLER_FAILED', record, attempt, cause)
    const { lanes, emit } = this.deps
    if (!state.acceptsRecords()) {
      // Revoking, closing or stopped: leave it unfinished; the watermark stays before it and the
      // next owner (or the next run) gets it again.
      lanes.leave(entry)
      lanes.giveBack(entry.lane)
      emit('record.failed', { record, error, attempt, action: 'abandon' })
      return
    }
    if (this.shouldRetry(attempt, cause)) {
      emit('record.failed', { record, error, attempt, action: 'retry' })
      this.scheduleRetry(entry, this.retryDelay(attempt, cause))
      return
    }
    const action = this.deps.failure.then
    emit('record.failed', { record, error, attempt, action })
    this.deps.logger.warn('record failed', { ...partitionFields(state), offset: record.offset.toString(), attempts: attempt, action })
    switch (action) {
      case 'skip':
        lanes.leave(entry)
        emit('record.skipped', { record, error, attempts: attempt })
        this.deps.finish(entry)
        lanes.giveBack(entry.lane)
        return
      case 'dead-letter':
        this.deadLetter(entry, error)
        return
      case 'stop':
      case 'stop-consumer':
        lanes.leave(entry)
        this.stopPartition(state, entry, error)
        if (action === 'stop-consumer') this.stopConsumer(error)
        return
    }
  }

  /** Drops the partition's pending retries (their entries leave their lanes). */
  cancelRetries(state: PartitionState<N>): void {
    for (const entry of state.retrying) {
      entry.retry?.()
      entry.retry = undefined
      this.deps.lanes.leave(entry)
      this.retryingCount--
    }
    state.retrying.clear()
  }

  private shouldRetry(attempt: number, cause: unknown): boolean {
    try {
      return this.deps.failure.shouldRetry(attempt, cause)
    } catch (error) {
      this.deps.logger.error('failure.retries threw; not retrying', { error: String(error) })
      return false
    }
  }

  private retryDelay(attempt: number, cause: unknown): number {
    try {
      return this.deps.failure.delayMs(attempt, cause)
    } catch (error) {
      this.deps.logger.error('failure.backoff threw; retrying at once', { error: String(error) })
      return 0
    }
  }

  /** The lane stays occupied during the backoff, so ordering holds: the retry goes first. */
  private scheduleRetry(entry: TrackedEntry<N>, delayMs: number): void {
    const state = entry.state
    state.retrying.add(entry)
    this.retryingCount++
    entry.retry = this.deps.clock.schedule(delayMs, () => {
      entry.retry = undefined
      state.retrying.delete(entry)
      this.retryingCount--
      // Every path that retires a lane cancels its retries first, so the lane is live here.
      this.deps.lanes.requeue(entry)
      this.deps.reconcile()
    })
  }

  private deadLetter(entry: TrackedEntry<N>, error: ProcessingError): void {
    const state = entry.state
    const { lanes } = this.deps
    lanes.runStarted(state)
    const settle = (ok: boolean, cause: unknown): void => {
      lanes.runEnded(state)
      lanes.leave(entry)
      if (entry.isCurrent()) {
        if (ok) {
          this.deps.emit('record.dead-lettered', { record: entry.record, error, attempts: entry.attempt })
          this.deps.finish(entry)
        } else {
          this.deps.logger.error('dead-letter produce failed; stopping the partition', { ...partitionFields(state), error: String(cause) })
          this.stopPartition(state, entry, new ProcessingError('DEAD_LETTER_FAILED', entry.record, entry.attempt, cause))
        }
      }
      lanes.giveBack(entry.lane)
      if (state.running === 0) state.drained?.()
      this.deps.reconcile()
    }
    // A batch is dead-lettered record by record, in offset order.
    const records = recordsOf(entry.record)
    let produced: Promise<void>
    try {
      if (this.deps.transactional) {
        const output = this.deps.port.deadLetterOutput as NonNullable<ClientPort<N>['deadLetterOutput']>
        entry.outputs = records.map((record) => output(record, error, entry.attempt))
        produced = Promise.resolve()
      } else {
        const deadLetter = this.deps.port.deadLetter as NonNullable<ClientPort<N>['deadLetter']>
        // The first produce starts now (as for a single record), each next one after the previous.
        const [first, ...rest] = records as [EngineRecord<N>, ...EngineRecord<N>[]]
        produced = Promise.resolve(deadLetter(first, error, entry.attempt))
        for (const record of rest) produced = produced.then(() => deadLetter(record, error, entry.attempt))
      }
    } catch (thrown) {
      produced = Promise.reject(thrown)
    }
    produced.then(
      () => settle(true, undefined),
      (cause: unknown) => settle(false, cause),
    )
  }

  private stopPartition(state: PartitionState<N>, entry: TrackedEntry<N>, error: ProcessingError): void {
    if (!state.stopped) {
      state.stopped = true
      this.deps.stopped(state)
    }
    this.deps.emit('partition.stopped', { topic: state.topic, partition: state.partition, epoch: state.epoch, record: entry.record, error })
  }

  /** Reached once: afterwards every partition is stopped, so failures are abandoned instead. */
  private stopConsumer(error: ProcessingError): void {
    this.stoppedConsumer = true
    for (const state of this.deps.owned()) {
      if (state.active && !state.stopped) {
        state.stopped = true
        this.deps.stopped(state)
      }
    }
    this.deps.logger.error('consumer stopped by the failure policy', { error: error.message })
    this.deps.emit('consumer.stopped', { error })
  }
}
