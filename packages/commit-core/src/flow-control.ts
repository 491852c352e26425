import type { ClientPort } from './client-port.js'
import type { CommitEngineEvents } from './commit-engine-events.js'
import type { Logger } from './logger.js'
import { callQuietly } from './call-quietly.js'
import type { PartitionState } from './partition-state.js'
import type { TopicPartition } from './topic-partition.js'

/**
 * The one hysteresis rule of flow control: a scope goes over its bound when its in-flight count
 * reaches `limit`, and comes back only at half of it, so a busy partition does not flap
 * pause/resume.
 */
export class InFlightBound {
  private readonly resumeAt: number

  constructor(private readonly limit: number) {
    this.resumeAt = Math.floor(limit / 2)
  }

  /** Whether a scope that `wasOver` is over its bound with `count` records in flight. */
  isOver(wasOver: boolean, count: number): boolean {
    return wasOver ? count > this.resumeAt : count >= this.limit
  }
}

type FlowEvent = 'partitions.paused' | 'partitions.resumed'

export interface FlowControlDeps<N> {
  readonly port: Pick<ClientPort<N>, 'pause' | 'resume'>
  readonly logger: Logger
  readonly maxInFlight: number
  readonly maxInFlightPerPartition: number
  emit<K extends FlowEvent>(event: K, payload: CommitEngineEvents<N>[K]): void
  /** Owned partitions. */
  owned(): Iterable<PartitionState<N>>
  lookup(partition: TopicPartition): PartitionState<N> | undefined
  /** Closing: every capacity wait ends. */
  closing(): boolean
}

interface CapacityWaiter {
  readonly partition: TopicPartition | undefined
  readonly resolve: () => void
}

/**
 * Records in flight (seen, not done) per partition and overall, under one bound rule; the
 * pause/resume intents that follow from them (and from stopped partitions); capacity waiters.
 * Owns the overall in-flight count: the engine reports each record tracked, done or forgotten.
 */
export class FlowControl<N> {
  private inFlightCount = 0
  /** Owned partitions over their own bound. */
  private overBoundCount = 0
  private globalOver = false
  /** Every owned partition needs a look (the global bound flipped). */
  private all = false
  private readonly dirty = new Set<PartitionState<N>>()
  private waiters: CapacityWaiter[] = []
  private readonly partitionBound: InFlightBound
  private readonly globalBound: InFlightBound

  constructor(private readonly deps: FlowControlDeps<N>) {
    this.partitionBound = new InFlightBound(deps.maxInFlightPerPartition)
    this.globalBound = new InFlightBound(deps.maxInFlight)
  }

  /** Records seen and not done, overall. */
  get inFlight(): number {
    return this.inFlightCount
  }

  /** A record of `state` was tracked (its tracker already counts it). */
  tracked(state: PartitionState<N>, count = 1): void {
    this.inFlightCount += count
    this.recheck(state)
  }

  /** `count` records of `state` are done (its tracker no longer counts them). */
  done(state: PartitionState<N>, count = 1): void {
    this.inFlightCount -= count
    this.recheck(state)
  }

  /**
   * Transactional mode: a record of `state` is done and now waits for its transaction (it is in
   * `state.held`): it still counts, until `committed` releases it.
   */
  held(state: PartitionState<N>): void {
    this.recheck(state)
  }

  /** Transactional mode: a transaction committed past `count` held records of `state`. */
  committed(state: PartitionState<N>, count: number): void {
    this.inFlightCount -= count
    this.recheck(state)
  }

  /** Over a bound now: in transactional mode only a commit can bring it back under. */
  get pressured(): boolean {
    return this.globalOver || this.overBoundCount > 0
  }

  /** The partition's records no longer count (released, or reset by a seek). */
  forget(state: PartitionState<N>): void {
    this.inFlightCount -= state.tracker.inFlight + state.heldRecords
    if (state.overBound) this.overBoundCount--
    state.overBound = false
    this.recheckGlobal()
  }

  /** The partition starts over empty (a seek): under its bound, and its pause state needs a look. */
  reset(state: PartitionState<N>): void {
    if (state.overBound) this.overBoundCount--
    state.overBound = false
    this.dirty.add(state)
  }

  /** Its pause state may have to change (assigned, stopped). */
  changed(state: PartitionState<N>): void {
    this.dirty.add(state)
  }

  /** Released: never paused or resumed again. */
  drop(state: PartitionState<N>): void {
    this.dirty.delete(state)
  }

  /** Sends the pause/resume intents that changed since the last call. */
  apply(): void {
    if (!this.all && this.dirty.size === 0) return
    const candidates = this.all ? this.deps.owned() : this.dirty.values()
    const pause: TopicPartition[] = []
    const resume: TopicPartition[] = []
    for (const state of candidates) {
      if (!state.active) continue
      const wanted = state.overBound || this.globalOver || state.stopped
      if (wanted === state.paused) continue
      state.paused = wanted
      ;(wanted ? pause : resume).push(state.toTopicPartition())
    }
    this.all = false
    this.dirty.clear()
    if (pause.length > 0) this.callPort('pause', pause)
    if (resume.length > 0) this.callPort('resume', resume)
  }

  callPort(method: 'pause' | 'resume', partitions: TopicPartition[]): void {
    callQuietly(this.deps.logger, method, () => this.deps.port[method](partitions))
    this.deps.emit(method === 'pause' ? 'partitions.paused' : 'partitions.resumed', { partitions })
  }

  hasCapacity(partition: TopicPartition | undefined): boolean {
    if (this.deps.closing()) return true
    if (this.globalOver) return false
    if (partition === undefined) return true
    const state = this.deps.lookup(partition)
    return state === undefined || !state.acceptsRecords() || !state.overBound
  }

  whenCapacity(partition: TopicPartition | undefined): Promise<void> {
    if (this.hasCapacity(partition)) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ partition, resolve }))
  }

  /** Resolves the waiters that have capacity now. */
  notify(): void {
    if (this.waiters.length === 0) return
    const waiting = this.waiters
    this.waiters = []
    for (const waiter of waiting) {
      if (this.hasCapacity(waiter.partition)) waiter.resolve()
      else this.waiters.push(waiter)
    }
  }

  /** Closed: nobody waits for capacity any more. */
  close(): void {
    for (const waiter of this.waiters) waiter.resolve()
    this.waiters = []
  }

  private recheck(state: PartitionState<N>): void {
    const over = this.partitionBound.isOver(state.overBound, state.tracker.inFlight + state.heldRecords)
    if (over !== state.overBound) {
      state.overBound = over
      this.overBoundCount += over ? 1 : -1
      this.dirty.add(state)
    }
    this.recheckGlobal()
  }

  private recheckGlobal(): void {
    const over = this.globalBound.isOver(this.globalOver, this.inFlightCount)
    if (over !== this.globalOver) {
      this.globalOver = over
      this.all = true
    }
  }
}
