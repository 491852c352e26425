import type { GroupStalledPartition, StalledPartition, StarvedPartition } from './commit-engine-events.js'
import type { WatchedPartition } from './liveness-monitor.js'
import { nextOffsetAfter, type CommitOffset, type RecordOffset } from './offset.js'
import type { PartitionState } from './partition-state.js'
import type { TopicPartition } from './topic-partition.js'

/** A snapshot of one owned partition, from `stats()`. */
export interface PartitionStats extends TopicPartition {
  /** Its assignment epoch; a new one starts at each assignment and at each reset. */
  readonly epoch: number
  /** `revoking`: on its way out (draining, or fenced), nothing new is dispatched. */
  readonly status: 'active' | 'revoking'
  /** The highest record offset delivered in this epoch; undefined before the first record. */
  readonly highestSeen: RecordOffset | undefined
  /** Next offset to read: what a commit now would carry. */
  readonly watermark: CommitOffset | undefined
  /** The last offset the broker acknowledged for it in this epoch; undefined before the first. */
  readonly lastCommitted: CommitOffset | undefined
  /** Records seen and not done (queued, running, retrying, awaiting a manual ack). */
  readonly inFlight: number
  /** Handler calls running now. */
  readonly running: number
  /** Age in milliseconds of its oldest unfinished record; undefined when none. */
  readonly oldestInFlightAgeMs: number | undefined
  /** Fetching is paused (an in-flight bound was hit). */
  readonly paused: boolean
  /** The failure policy stopped it (`failure.then: 'stop'`): it commits nothing past the failed record. */
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

/** A snapshot of the whole engine, from `stats()`. Computed on call: cheap, but not free. */
export interface CommitEngineStats {
  /** One entry per owned partition. */
  readonly partitions: readonly PartitionStats[]
  /** Records seen and not done, over all partitions. */
  readonly inFlight: number
  /** Handler calls running now, over all partitions. */
  readonly running: number
  /** A commit is outstanding at the client (at most one is, ever). */
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
  /** How many partitions this consumer owns now. */
  readonly ownedPartitions: number
  /** Records seen and not done, over all partitions. */
  readonly inFlight: number
  /** Age in milliseconds of the oldest unfinished record; undefined when none. */
  readonly oldestInFlightAgeMs: number | undefined
  /** Since the last commit the broker acknowledged; undefined before the first. */
  readonly lastCommitAgeMs: number | undefined
  /** Partitions whose commits cannot advance (see the `commit.stalled` event). */
  readonly stalled: readonly StalledPartition[]
  /** Partitions with records to read that deliver none (see the `partition.starved` event). */
  readonly starved: readonly StarvedPartition[]
  /** Partitions the failure policy stopped. */
  readonly stopped: readonly TopicPartition[]
  /**
   * Partitions of the group NOT owned by this consumer that have records to read and whose
   * committed offset does not move (see the `group.partition.stalled` event).
   */
  readonly groupStalled: readonly GroupStalledPartition[]
  /**
   * How long records have waited for a membership probe's answer (`liveness.membershipProbeMs`);
   * undefined when none is under way.
   */
  readonly membershipProbeAgeMs: number | undefined
}

/** What the liveness monitor says about one partition. */
export interface LivenessView {
  isStalled(partition: TopicPartition): boolean
  isStarved(partition: TopicPartition): boolean
  stalledPartitions(): readonly StalledPartition[]
  starvedPartitions(): readonly StarvedPartition[]
  groupStalledPartitions(): readonly GroupStalledPartition[]
}

export function partitionStats<N>(s: PartitionState<N>, now: number, liveness: LivenessView): PartitionStats {
  const oldest = s.tracker.oldest()
  return {
    topic: s.topic,
    partition: s.partition,
    epoch: s.epoch,
    // The public view has two states: a draining or fenced partition is on its way out.
    status: s.active ? 'active' : 'revoking',
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
    stalled: liveness.isStalled(s),
    starved: liveness.isStarved(s),
  }
}

export interface HealthInput<N> {
  readonly now: number
  readonly owned: { readonly size: number; values(): Iterable<PartitionState<N>> }
  readonly liveness: LivenessView
  readonly consumerStopped: boolean
  readonly clientFailure: { readonly error: unknown; readonly restarting: boolean } | undefined
  readonly inFlight: number
  readonly lastCommitAckAt: number | undefined
  /** When the membership probe under way started. */
  readonly probingSince?: number | undefined
  /** The probe was answered "fenced": records wait for the client's rejoin. */
  readonly probeFenced?: boolean
  /** liveness.commitStallMs: a probe this old makes the consumer degraded (0: never). */
  readonly stallMs?: number
}

export function engineHealth<N>({ now, owned, liveness, consumerStopped, clientFailure: failure, inFlight, lastCommitAckAt, probingSince, probeFenced = false, stallMs = 0 }: HealthInput<N>): EngineHealth {
  let oldest: number | undefined
  const stopped: TopicPartition[] = []
  for (const s of owned.values()) {
    const head = s.tracker.oldest()
    if (head !== undefined && (oldest === undefined || head.arrivedAt < oldest)) oldest = head.arrivedAt
    if (s.stopped) stopped.push(s.toTopicPartition())
  }
  const stalled = liveness.stalledPartitions()
  const starved = liveness.starvedPartitions()
  const groupStalled = liveness.groupStalledPartitions()
  const reasons: string[] = []
  let status: EngineHealth['status'] = 'ok'
  if (consumerStopped) reasons.push('the failure policy stopped the consumer')
  if (failure !== undefined) {
    const what = failure.error instanceof Error ? failure.error.message : String(failure.error)
    reasons.push(failure.restarting ? `the client failed and is restarting: ${what}` : `the client failed and does not restart: ${what}`)
  }
  if (consumerStopped || (failure !== undefined && !failure.restarting)) status = 'failed'
  const list = (ps: readonly TopicPartition[]): string => ps.map((p) => `${p.topic}/${p.partition}`).join(', ')
  if (stalled.length > 0) reasons.push(`commits stalled: ${list(stalled)}`)
  if (starved.length > 0) reasons.push(`partitions deliver nothing although they have records: ${list(starved)}`)
  if (stopped.length > 0 && !consumerStopped) reasons.push(`partitions stopped by the failure policy: ${list(stopped)}`)
  if (groupStalled.length > 0) {
    reasons.push(`partitions of the group make no progress and this consumer does not own them (a stuck member, or none given them): ${list(groupStalled)}`)
  }
  const probeAge = probingSince === undefined ? undefined : now - probingSince
  if (probeAge !== undefined && stallMs > 0 && probeAge >= stallMs) {
    reasons.push(probeFenced
      ? `this member was removed from the group ${Math.round(probeAge / 1000)} s ago and the client has not rejoined; records are held`
      : `records held for ${Math.round(probeAge / 1000)} s: the group coordinator does not answer the membership probe`)
  }
  if (status === 'ok' && reasons.length > 0) status = 'degraded'
  return {
    status,
    reasons,
    ownedPartitions: owned.size,
    inFlight,
    oldestInFlightAgeMs: oldest === undefined ? undefined : now - oldest,
    lastCommitAgeMs: lastCommitAckAt === undefined ? undefined : now - lastCommitAckAt,
    stalled,
    starved,
    stopped,
    groupStalled,
    membershipProbeAgeMs: probeAge,
  }
}

/**
 * The liveness monitor's view of owned partitions in their current epoch (draining and fenced
 * ones are on their way out).
 */
export function* watchedPartitions<N>(owned: Iterable<PartitionState<N>>, closing: boolean): Iterable<WatchedPartition> {
  for (const s of owned) {
    if (!s.active) continue
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
      expectsRecords: !s.stopped && !s.paused && !closing,
    }
  }
}
