import type { EngineRecord } from './client-port.js'
import type { CancelTimer } from './clock.js'
import { Deque } from './deque.js'
import type { CommitOffset, RecordOffset } from './offset.js'
import type { PartitionTracker, TrackedRecord } from './partition-tracker.js'
import type { TopicPartition } from './topic-partition.js'

// The engine's per-partition bookkeeping. Plain data with a few helpers; every decision about it
// is made in commit-engine.ts.

export type PartitionStatus = 'active' | 'revoking' | 'released'

/** A sequential unit of dispatch: a partition, or one key of a partition. */
export class Lane<N> {
  readonly queue = new Deque<Entry<N>>()
  /** Entries taken from the queue and not yet given back (running, retry backoff, dead-letter). */
  active = 0
  /** In the engine's ready queue. */
  ready = false
  /** Replaced by a seek or dropped by a release: never dispatches again. */
  retired = false

  constructor(
    readonly state: PartitionState<N>,
    readonly limit: number,
    readonly key: string | undefined,
  ) {}
}

/** A tracked record and its dispatch state. */
export class Entry<N> implements TrackedRecord {
  done = false
  attempt = 0
  retry: CancelTimer | undefined
  readonly offset: RecordOffset
  readonly leaderEpoch: number | undefined

  constructor(
    readonly record: EngineRecord<N>,
    readonly state: PartitionState<N>,
    readonly epoch: number,
    readonly lane: Lane<N>,
    readonly arrivedAt: number,
  ) {
    this.offset = record.offset
    this.leaderEpoch = record.leaderEpoch
  }
}

/** One assigned partition: tracker, lanes, flow and commit state of the current epoch. */
export class PartitionState<N> implements TopicPartition {
  status: PartitionStatus = 'active'
  /** Acks and positions are ignored from here on; the watermark is final. */
  fenced = false
  stopped = false
  syncBlocks = 0
  running = 0
  overBound = false
  paused = false
  committed: CommitOffset | undefined
  stored: CommitOffset | undefined
  controller = new AbortController()
  lane: Lane<N> | undefined
  keyLanes: Map<string, Lane<N>> | undefined
  readonly retrying = new Set<Entry<N>>()
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
    public tracker: PartitionTracker<Entry<N>>,
    keyed: boolean,
    laneLimit: number,
    now: number,
  ) {
    this.lastDeliveryAt = now
    this.resetLanes(keyed, laneLimit)
  }

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

  toTopicPartition(): TopicPartition {
    return { topic: this.topic, partition: this.partition }
  }
}
