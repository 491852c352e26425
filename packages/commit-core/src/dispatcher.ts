import type { EngineRecord } from './client-port.js'
import type { HandlerContext, Ordering, OutputMessage, RecordHandler } from './commit-engine-options.js'
import { Deque } from './deque.js'
import { isThenable } from './call-quietly.js'
import { Lane, type PartitionState, type TrackedEntry } from './partition-state.js'
import type { LaneSlots } from './record-failures.js'

/** Lane key for `ordering: 'key'`: exact for both string and byte keys (a collision would only serialize). */
export function laneKey(key: Uint8Array | string | null | undefined): string {
  if (key === undefined || key === null) return ''
  if (typeof key === 'string') return `s${key}`
  let text = 'b'
  for (const byte of key) text += String.fromCharCode(byte)
  return text
}

/** What the handler gets besides the record. */
export class Context<N> implements HandlerContext {
  readonly attempt: number
  readonly epoch: number

  constructor(
    private readonly owner: Pick<DispatcherDeps<N>, 'ack' | 'send'>,
    private readonly entry: TrackedEntry<N>,
    readonly signal: AbortSignal,
  ) {
    this.attempt = entry.attempt
    this.epoch = entry.epoch
  }

  ack(): boolean {
    return this.owner.ack(this.entry)
  }

  send(topic: string, messages: OutputMessage | readonly OutputMessage[]): void {
    this.owner.send(this.entry, this.attempt, topic, messages)
  }
}

export interface DispatcherDeps<N> {
  readonly handler: RecordHandler<N>
  readonly ordering: Ordering
  /** Handlers running at once, overall. */
  readonly concurrency: number
  /** Handlers ack by hand: a resolved handler does not make its record done. */
  readonly manualAck: boolean
  /** Marks a record done from its handler's context (false if it was dropped). */
  ack(entry: TrackedEntry<N>): boolean
  /** `context.send` of `attempt` (transactional mode); throws what the handler should see. */
  send(entry: TrackedEntry<N>, attempt: number, topic: string, messages: OutputMessage | readonly OutputMessage[]): void
  /** Marks a record done. */
  finish(entry: TrackedEntry<N>): void
  /** The handler of a current entry failed; the entry still occupies its lane. */
  failed(entry: TrackedEntry<N>, error: unknown): void
  /** State changed outside any engine call (an asynchronous handler settled). */
  reconcile(): void
}

/**
 * Runs handlers: lanes (a partition, or a key of one) with queued entries wait in one ready
 * queue, and `pump` starts them up to the concurrency bound. Owns the running counts and the
 * lane slots: every entry taken from a lane gives its slot back through `leave`.
 */
export class Dispatcher<N> implements LaneSlots<N> {
  private readonly ready = new Deque<Lane<N>>()
  private runningCount = 0
  private readonly keyed: boolean
  private readonly laneLimit: number

  constructor(private readonly deps: DispatcherDeps<N>) {
    this.keyed = deps.ordering === 'key'
    this.laneLimit = deps.ordering === 'unordered' ? Number.POSITIVE_INFINITY : 1
  }

  /** Handlers (and dead-letter produces) running, overall. */
  get running(): number {
    return this.runningCount
  }

  /** Some lane has a record waiting to be dispatched. */
  get hasReady(): boolean {
    return this.ready.size > 0
  }

  /** Nothing runs and nothing waits to be dispatched. */
  get idle(): boolean {
    return this.runningCount === 0 && this.ready.size === 0
  }

  /** New lanes for the partition (assigned or reset); queued entries of the old ones are dropped. */
  resetLanes(state: PartitionState<N>): void {
    state.resetLanes(this.keyed, this.laneLimit)
  }

  /** The lane a new record of `state` queues in. */
  laneFor(state: PartitionState<N>, record: EngineRecord<N>): Lane<N> {
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

  enqueue(entry: TrackedEntry<N>): void {
    entry.lane.queue.pushBack(entry)
    this.offerLane(entry.lane)
  }

  offerLane(lane: Lane<N>): void {
    if (lane.ready || lane.retired || lane.queue.size === 0 || lane.active >= lane.limit || !lane.state.canDispatch()) return
    lane.ready = true
    this.ready.pushBack(lane)
  }

  offerLanes(state: PartitionState<N>): void {
    for (const lane of state.lanes()) this.offerLane(lane)
  }

  /** A lane gave an entry back: offer it again, or forget an idle key lane (memory follows in-flight). */
  giveBack(lane: Lane<N>): void {
    if (lane.key !== undefined && lane.queue.size === 0 && lane.active === 0) {
      if (!lane.retired && lane.state.keyLanes?.get(lane.key) === lane) lane.state.keyLanes.delete(lane.key)
      return
    }
    this.offerLane(lane)
  }

  leave(entry: TrackedEntry<N>): void {
    entry.lane.active--
  }

  requeue(entry: TrackedEntry<N>): void {
    this.leave(entry)
    entry.lane.queue.pushFront(entry)
    this.offerLane(entry.lane)
  }

  runStarted(state: PartitionState<N>): void {
    state.running++
    this.runningCount++
  }

  runEnded(state: PartitionState<N>): void {
    state.running--
    this.runningCount--
  }

  /** Starts queued entries of ready lanes while the concurrency bound allows. */
  pump(): void {
    while (this.runningCount < this.deps.concurrency) {
      const lane = this.ready.shift()
      if (lane === undefined) return
      lane.ready = false
      if (lane.retired || lane.queue.size === 0 || lane.active >= lane.limit || !lane.state.canDispatch()) continue
      const entry = lane.queue.shift() as TrackedEntry<N>
      // Acked through engine.ack() while still queued: nothing left to run.
      if (!entry.done) this.dispatch(entry)
      this.offerLane(lane)
    }
  }

  private dispatch(entry: TrackedEntry<N>): void {
    const state = entry.state
    entry.lane.active++
    this.runStarted(state)
    entry.attempt++
    // A new attempt sends its outputs afresh.
    entry.outputs = undefined
    entry.sendingAttempt = entry.attempt
    let result: unknown
    try {
      result = this.deps.handler(entry.record, new Context(this.deps, entry, state.signal))
    } catch (error) {
      this.settled(entry, false, error)
      return
    }
    if (!isThenable(result)) {
      this.settled(entry, true, undefined)
      return
    }
    try {
      result.then(
        () => this.settledLater(entry, true, undefined),
        (error: unknown) => this.settledLater(entry, false, error),
      )
    } catch (error) {
      this.settled(entry, false, error)
    }
  }

  /** An asynchronous handler settled outside any engine call: the engine reconciles after it. */
  private settledLater(entry: TrackedEntry<N>, ok: boolean, error: unknown): void {
    this.settled(entry, ok, error)
    this.deps.reconcile()
  }

  private settled(entry: TrackedEntry<N>, ok: boolean, error: unknown): void {
    const state = entry.state
    this.runEnded(state)
    if (!entry.isCurrent()) {
      // Released or reset meanwhile: the outcome belongs to an old epoch and is dropped.
      this.leave(entry)
      this.giveBack(entry.lane)
    } else if (ok) {
      this.leave(entry)
      if (!this.deps.manualAck) this.deps.finish(entry)
      this.giveBack(entry.lane)
    } else {
      this.deps.failed(entry, error)
    }
    if (state.running === 0) state.drained?.()
  }
}
