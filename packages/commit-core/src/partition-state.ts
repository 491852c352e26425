import type { CommitEntry, EngineRecord, OutputRecord, PartitionOutputs } from './client-port.js'
import type { CancelTimer } from './clock.js'
import type { PreparedCommit } from './commit-pipeline.js'
import { Deque } from './deque.js'
import { EngineBatch } from './record-batch.js'
import type { CommitOffset, RecordOffset } from './offset.js'
import type { PartitionTracker, TrackedRecord } from './partition-tracker.js'
import type { TopicPartition } from './topic-partition.js'

// The engine's per-partition bookkeeping, with the predicates every part asks of it. The parts
// (dispatcher, flow control, failures, scheduler) and the engine decide what to do with it.

/**
 * Where an assignment is in its life. `active`: records are accepted and dispatched.
 * `draining`: a revoke or close stopped dispatch and waits for running handlers. `fenced`: the
 * watermark is final (acks and positions are ignored) while its last commit runs. `released`:
 * no longer owned; nothing of it may be committed.
 */
export type PartitionPhase = 'active' | 'draining' | 'fenced' | 'released'

/** A sequential unit of dispatch: a partition, or one key of a partition. */
export class Lane<N> {
  readonly queue = new Deque<TrackedEntry<N>>()
  /** Entries taken from the queue and not yet given back (running, retry backoff, dead-letter). */
  active = 0
  /** In the dispatcher's ready queue. */
  ready = false
  /** Replaced by a seek or dropped by a release: never dispatches again. */
  retired = false

  constructor(
    readonly state: PartitionState<N>,
    readonly limit: number,
    readonly key: string | undefined,
  ) {}
}

/** A tracked record (seen, not done) and its dispatch state. */
export class TrackedEntry<N> implements TrackedRecord {
  done = false
  attempt = 0
  retry: CancelTimer | undefined
  /** `mode: 'transactional'`: what the current attempt sent (context.send); dropped when it fails. */
  outputs: OutputRecord[] | undefined
  /** The attempt whose context.send is accepted: 0 once it failed or the record is done. */
  sendingAttempt = 0
  readonly offset: RecordOffset
  readonly leaderEpoch: number | undefined
  /** A batch (batch handler): its last offset and record count; absent for a single record. */
  readonly lastOffset: RecordOffset | undefined
  readonly count: number

  constructor(
    readonly record: EngineRecord<N>,
    readonly state: PartitionState<N>,
    readonly epoch: number,
    readonly lane: Lane<N>,
    readonly arrivedAt: number,
  ) {
    this.offset = record.offset
    this.leaderEpoch = record.leaderEpoch
    const batch = record instanceof EngineBatch ? record : undefined
    this.lastOffset = batch?.lastOffset
    this.count = batch === undefined ? 1 : batch.count
  }

  /** Still in its partition's current epoch and not fenced: its outcome counts. */
  isCurrent(): boolean {
    return this.epoch === this.state.epoch && !this.state.fenced
  }
}

/** One assigned partition: tracker, lanes, flow and commit state of the current epoch. */
export class PartitionState<N> implements TopicPartition {
  phase: PartitionPhase = 'active'
  /** Stopped by the failure policy: accepts and dispatches nothing until a seek. */
  stopped = false
  /** Sync commits this partition's dispatch waits for. */
  syncHolds = 0
  running = 0
  overBound = false
  paused = false
  committed: CommitOffset | undefined
  controller = new AbortController()
  /** `controller.signal`, read once per controller: every dispatch hands it over and the getter is not free. */
  signal: AbortSignal = this.controller.signal
  lane: Lane<N> | undefined
  keyLanes: Map<string, Lane<N>> | undefined
  readonly retrying = new Set<TrackedEntry<N>>()
  /**
   * `mode: 'transactional'`: every done record (with its outputs, possibly none), held until a
   * transaction commits past it (then dropped). Until then it counts as in flight, so the bounds
   * also bound what waits for a transaction. Out of order under `unordered`/`key` ordering; a
   * commit takes those below its offset.
   */
  held: HeldOutputs[] = []
  /** Records in `held` (a batch counts its records). */
  heldRecords = 0
  drained: (() => void) | undefined
  revoking: Promise<void> | undefined
  /** Clock time of the last delivery (any record, even a duplicate), or of the assignment. */
  lastDeliveryAt: number
  /** The partition's log end, when the client reported it (liveness checks). */
  endOffset: CommitOffset | undefined

  constructor(
    readonly topic: string,
    readonly partition: number,
    public epoch: number,
    public tracker: PartitionTracker<TrackedEntry<N>>,
    now: number,
  ) {
    this.lastDeliveryAt = now
  }

  get active(): boolean {
    return this.phase === 'active'
  }

  /** Acks and positions are ignored from here on; the watermark is final. */
  get fenced(): boolean {
    return this.phase === 'fenced' || this.phase === 'released'
  }

  get released(): boolean {
    return this.phase === 'released'
  }

  /**
   * Records (and fetch positions) are tracked only here. A closing engine has stopped dispatch
   * of every partition before anything else runs, so no partition is active while it closes.
   */
  acceptsRecords(): boolean {
    return this.phase === 'active' && !this.stopped
  }

  /** Records are accepted and no sync commit holds the partition. */
  canDispatch(): boolean {
    return this.acceptsRecords() && this.syncHolds === 0
  }

  /**
   * An explicit seek: a new epoch reading from the tracker's start. The committed offset is
   * forgotten: a rewind is the one case where it may go backwards.
   */
  restart(epoch: number, tracker: PartitionTracker<TrackedEntry<N>>, now: number): void {
    this.epoch = epoch
    this.tracker = tracker
    this.lastDeliveryAt = now
    this.controller = new AbortController()
    this.signal = this.controller.signal
    this.committed = undefined
    this.held = []
    this.heldRecords = 0
  }

  /** Retires the lanes (and their queues) and starts new empty ones. */
  resetLanes(keyed: boolean, laneLimit: number): void {
    for (const lane of this.lanes()) {
      lane.retired = true
      lane.queue.clear()
    }
    if (keyed) {
      this.lane = undefined
      this.keyLanes = new Map()
    } else {
      this.lane = new Lane(this, laneLimit, undefined)
      this.keyLanes = undefined
    }
  }

  lanes(): Iterable<Lane<N>> {
    if (this.lane !== undefined) return [this.lane]
    return this.keyLanes === undefined ? [] : this.keyLanes.values()
  }

  /** What a commit or an offset store of `offset` sends for this partition. */
  commitEntry(offset: CommitOffset, withLeaderEpoch: boolean): CommitEntry {
    const leaderEpoch = withLeaderEpoch ? this.tracker.leaderEpoch : undefined
    return leaderEpoch === undefined
      ? { topic: this.topic, partition: this.partition, offset }
      : { topic: this.topic, partition: this.partition, offset, leaderEpoch }
  }

  toTopicPartition(): TopicPartition {
    return { topic: this.topic, partition: this.partition }
  }
}

/** One partition's share of a commit: applied on success only if the epoch still matches. */
export interface CommitTarget<N> {
  readonly state: PartitionState<N>
  readonly epoch: number
  readonly offset: CommitOffset
}

export interface PreparedOffsets<N> extends PreparedCommit {
  readonly targets: readonly CommitTarget<N>[]
  /** `mode: 'transactional'`: per target, the held outputs its offset covers. */
  readonly outputs?: readonly PartitionOutputs[]
}

/** One done record's outputs (transactional mode). */
export interface HeldOutputs {
  readonly offset: RecordOffset
  readonly records: readonly OutputRecord[]
  /** Input records it stands for (a batch: its records). */
  readonly count: number
}

/** For log lines. */
export function partitionFields(p: TopicPartition): Record<string, unknown> {
  return { topic: p.topic, partition: p.partition }
}
