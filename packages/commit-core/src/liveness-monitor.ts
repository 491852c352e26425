import type { CommitRequest, LogOffsets, PartitionOffset } from './client-port.js'
import type { CancelTimer, Clock } from './clock.js'
import type { CommitError } from './commit-error.js'
import type { CommitEngineEvents, GroupStalledPartition, StalledPartition, StarvedPartition } from './commit-engine-events.js'
import type { Logger } from './logger.js'
import type { CommitOffset } from './offset.js'
import { checkInteger, checkObject, checkOneOf } from './option-checks.js'
import { topicPartitionKey, type TopicPartition } from './topic-partition.js'

/** The `liveness` option: when a partition counts as stalled or starved, and what then happens. */
export interface LivenessOptions {
  /**
   * An owned partition whose done watermark is ahead of its committed offset while its commits
   * fail or are dropped (or one commit hangs) for this long is reported as `commit.stalled`.
   * Default 30000; 0 turns the check off.
   */
  readonly commitStallMs?: number
  /**
   * An owned partition with records after its position (the client reported the log end) that
   * delivers nothing for this long is reported as `partition.starved`. 0 = off. Default 60000
   * for consumers built by an adapter; the bare engine checks only when this is set.
   */
  readonly starvationMs?: number
  /**
   * A partition of the subscribed topics that this consumer does NOT own, whose group committed
   * offset stays behind its log end without moving for this long, is reported as
   * `group.partition.stalled`: the member that owns it is stuck, or no member was given it. It
   * must be longer than the group's longest commit interval. Needs a port with
   * `queryGroupOffsets` (the librdkafka adapters). 0 = off. Default 120000 for consumers built by
   * an adapter (off with `commit: 'none'`); the bare engine checks only when this is set.
   */
  readonly groupStallMs?: number
  /**
   * When nothing from the group coordinator (a commit answer, an assignment or revocation) came
   * for this long, queued records wait for one commit round trip before their handlers run: a
   * probe commit of the current offsets. A member fenced meanwhile (a broker outage or a frozen
   * process outlived the session) learns it from the probe's answer instead of processing
   * partitions the group already gave to another member. Keep it below the group's session
   * timeout. 0 = off. Default 10000 for consumers built by an adapter (at-least-once commit
   * policies only); the bare engine probes only when this is set.
   */
  readonly membershipProbeMs?: number
  /**
   * 'warn' (default): events and a warning. 'close': also close the consumer on `commit.stalled`
   * (never on `group.partition.stalled`: closing every member for another member's partition
   * would stop the whole group).
   */
  readonly onStall?: 'warn' | 'close'
}

export interface ResolvedLiveness {
  readonly commitStallMs: number
  readonly starvationMs: number
  readonly groupStallMs: number
  readonly membershipProbeMs: number
  readonly onStall: 'warn' | 'close'
}

export function resolveLivenessOptions(value: unknown): ResolvedLiveness {
  const o = value === undefined
    ? {}
    : checkObject('liveness', value, ['commitStallMs', 'starvationMs', 'groupStallMs', 'membershipProbeMs', 'onStall'], '{ commitStallMs?, starvationMs?, groupStallMs?, membershipProbeMs?, onStall? }')
  return {
    commitStallMs: checkInteger('liveness.commitStallMs', o.commitStallMs, 0, 30_000),
    starvationMs: checkInteger('liveness.starvationMs', o.starvationMs, 0, 0),
    groupStallMs: checkInteger('liveness.groupStallMs', o.groupStallMs, 0, 0),
    membershipProbeMs: checkInteger('liveness.membershipProbeMs', o.membershipProbeMs, 0, 0),
    onStall: checkOneOf('liveness.onStall', o.onStall, ['warn', 'close'], 'warn'),
  }
}

/** What the monitor reads of one owned partition (the engine's view, current epoch). */
export interface WatchedPartition extends TopicPartition {
  readonly epoch: number
  readonly watermark: CommitOffset | undefined
  readonly committed: CommitOffset | undefined
  /** Where the next delivered record would start: after the highest seen, or the known position. */
  readonly position: CommitOffset | undefined
  readonly endOffset: CommitOffset | undefined
  /** Clock time of the last record delivered, or of the assignment when none came yet. */
  readonly lastDeliveryAt: number
  /** Partitions stopped by the failure policy, paused by flow control or revoking are not starved. */
  readonly expectsRecords: boolean
}

export interface LivenessDeps {
  readonly clock: Clock
  readonly logger: Logger
  readonly options: ResolvedLiveness
  /** Owned partitions, current epochs. */
  owned(): Iterable<WatchedPartition>
  emit<K extends LivenessEvent>(event: K, payload: CommitEngineEvents[K]): void
  /** Asks the client for log-end offsets of silent partitions (optional: not every client can). */
  queryEndOffsets?(partitions: readonly TopicPartition[]): Promise<readonly LogOffsets[]>
  /** Asks the client for the group's committed offset and the log end of every subscribed partition. */
  queryGroupOffsets?(): Promise<readonly LogOffsets[]>
  endOffsetsKnown(offsets: readonly PartitionOffset[]): void
}

/** Calls a port query; a synchronous throw becomes a rejection. */
function callPort<T>(query: () => Promise<T>): Promise<T> {
  try {
    return query()
  } catch (error) {
    return Promise.reject(error)
  }
}

type LivenessEvent = 'commit.stalled' | 'commit.recovered' | 'partition.starved' | 'partition.flowing' | 'group.partition.stalled' | 'group.partition.flowing'

interface Failing {
  readonly epoch: number
  readonly since: number
  lastError: CommitError
}

/**
 * Makes silent failure loud (DESIGN 15). It watches what core can see, never the wall clock
 * directly: commits of an owned partition that keep failing or being dropped while records
 * complete, one commit that never settles, and an owned partition with records to read that
 * delivers nothing; and, with the group check, a partition of the group that no member moves
 * (owned by a stuck member, or by none). Each becomes an event after a bound, a warning, and a
 * line in `health()`.
 */
export class LivenessMonitor {
  private readonly failing = new Map<string, Failing>()
  private readonly stalled = new Map<string, StalledPartition>()
  private readonly starved = new Map<string, StarvedPartition>()
  private readonly querying = new Set<string>()
  /** Silent partitions whose last log-end question failed (the client could not reach the broker). */
  private readonly queryFailed = new Set<string>()
  private readonly queriedAt = new Map<string, number>()
  /** Where partitions that never delivered start, as the client reported it (by epoch). */
  private readonly startHints = new Map<string, { readonly epoch: number; readonly offset: CommitOffset }>()
  /** Group check: partitions not owned here, with lag, by the committed offset they have kept since when. */
  private readonly groupBehind = new Map<string, { readonly start: CommitOffset; readonly since: number }>()
  private readonly groupStalled = new Map<string, GroupStalledPartition>()
  private groupQueriedAt: number | undefined
  private groupQuerying = false
  private inFlight: { readonly request: CommitRequest; readonly since: number } | undefined
  private lastError: CommitError | undefined
  private timer: CancelTimer | undefined
  private periodMs = Infinity
  private stopped = false

  constructor(private readonly deps: LivenessDeps) {
    this.arm()
  }

  commitStarted(request: CommitRequest): void {
    this.inFlight = { request, since: this.deps.clock.now() }
    this.arm()
  }

  commitSucceeded(request: CommitRequest): void {
    this.inFlight = undefined
    for (const entry of request.offsets) this.failing.delete(topicPartitionKey(entry.topic, entry.partition))
    this.check()
  }

  commitFailed(request: CommitRequest, error: CommitError, willRetry: boolean): void {
    if (!willRetry) this.inFlight = undefined
    this.lastError = error
    const now = this.deps.clock.now()
    const epochs = new Map<string, number>()
    for (const p of this.deps.owned()) epochs.set(topicPartitionKey(p.topic, p.partition), p.epoch)
    for (const entry of request.offsets) {
      const key = topicPartitionKey(entry.topic, entry.partition)
      const epoch = epochs.get(key)
      if (epoch === undefined) continue
      const known = this.failing.get(key)
      if (known !== undefined && known.epoch === epoch) known.lastError = error
      else this.failing.set(key, { epoch, since: now, lastError: error })
    }
    this.arm()
  }

  stalledPartitions(): readonly StalledPartition[] {
    return [...this.stalled.values()]
  }

  starvedPartitions(): readonly StarvedPartition[] {
    return [...this.starved.values()]
  }

  groupStalledPartitions(): readonly GroupStalledPartition[] {
    return [...this.groupStalled.values()]
  }

  isStalled(partition: TopicPartition): boolean {
    return this.stalled.has(topicPartitionKey(partition.topic, partition.partition))
  }

  isStarved(partition: TopicPartition): boolean {
    return this.starved.has(topicPartitionKey(partition.topic, partition.partition))
  }

  stop(): void {
    this.stopped = true
    this.timer?.()
    this.timer = undefined
  }

  /** One pass over the owned partitions; runs on the monitor's own timer. */
  check(): void {
    if (this.stopped) return
    const now = this.deps.clock.now()
    const owned = new Map<string, WatchedPartition>()
    for (const p of this.deps.owned()) owned.set(topicPartitionKey(p.topic, p.partition), p)
    for (const [key, f] of this.failing) if (owned.get(key)?.epoch !== f.epoch) this.failing.delete(key)
    for (const [key, h] of this.startHints) if (owned.get(key)?.epoch !== h.epoch) this.startHints.delete(key)
    for (const key of this.queriedAt.keys()) if (!owned.has(key)) this.queriedAt.delete(key)
    for (const key of this.queryFailed) if (!owned.has(key)) this.queryFailed.delete(key)
    this.checkCommits(owned, now)
    this.checkDeliveries(owned, now)
    this.checkGroup(now)
    this.arm()
  }

  private checkCommits(owned: ReadonlyMap<string, WatchedPartition>, now: number): void {
    const bound = this.deps.options.commitStallMs
    if (bound === 0) return
    const newly: StalledPartition[] = []
    const hung = this.inFlight !== undefined && now - this.inFlight.since >= bound ? this.inFlight : undefined
    const hungKeys = new Set(hung?.request.offsets.map((e) => topicPartitionKey(e.topic, e.partition)) ?? [])
    for (const [key, p] of owned) {
      const failing = this.failing.get(key)
      if (failing !== undefined && failing.epoch !== p.epoch) this.failing.delete(key)
      const current = failing !== undefined && failing.epoch === p.epoch ? failing : undefined
      const behind = p.watermark !== undefined && (p.committed === undefined || p.watermark > p.committed)
      let since: number | undefined
      let reason: StalledPartition['reason'] | undefined
      if (hungKeys.has(key) && hung !== undefined) {
        since = hung.since
        reason = 'commit-hung'
      } else if (current !== undefined && behind && now - current.since >= bound) {
        since = current.since
        reason = current.lastError.code === 'FENCED' ? 'fenced' : 'commits-failing'
      }
      if (since === undefined || reason === undefined) continue
      const stalled: StalledPartition = {
        topic: p.topic,
        partition: p.partition,
        epoch: p.epoch,
        reason,
        sinceMs: now - since,
        committed: p.committed,
        watermark: p.watermark,
      }
      if (!this.stalled.has(key)) newly.push(stalled)
      this.stalled.set(key, stalled)
    }
    const recovered: TopicPartition[] = []
    for (const [key, s] of this.stalled) {
      const p = owned.get(key)
      const stillStalled = p !== undefined && p.epoch === s.epoch && (hungKeys.has(key) || this.failing.get(key)?.epoch === p.epoch)
      if (!stillStalled) {
        this.stalled.delete(key)
        recovered.push({ topic: s.topic, partition: s.partition })
      }
    }
    if (recovered.length > 0) {
      this.deps.logger.info('commits flow again', { partitions: recovered.map((r) => `${r.topic}/${r.partition}`).join(',') })
      this.deps.emit('commit.recovered', { partitions: recovered })
    }
    if (newly.length === 0) return
    const lastError = this.lastError
    this.deps.logger.warn('commits stalled: records complete but the committed offset cannot advance', {
      partitions: newly.map((s) => `${s.topic}/${s.partition}`).join(','),
      reason: newly[0]?.reason,
      sinceMs: newly[0]?.sinceMs,
      lastError: lastError?.message,
    })
    this.deps.emit('commit.stalled', { partitions: newly, lastError })
  }

  private checkDeliveries(owned: ReadonlyMap<string, WatchedPartition>, now: number): void {
    const bound = this.deps.options.starvationMs
    if (bound === 0) return
    const newly: StarvedPartition[] = []
    const flowing: TopicPartition[] = []
    const unknown: WatchedPartition[] = []
    for (const [key, p] of owned) {
      const silentMs = now - p.lastDeliveryAt
      const known = this.starved.get(key)
      if (known !== undefined && (known.epoch !== p.epoch || silentMs < bound || !p.expectsRecords)) {
        this.starved.delete(key)
        flowing.push({ topic: p.topic, partition: p.partition })
      }
      if (!p.expectsRecords || silentMs < bound) continue
      const hint = this.startHints.get(key)
      const start = p.position ?? p.committed ?? (hint?.epoch === p.epoch ? hint.offset : undefined)
      const queried = this.queriedAt.get(key)
      const current = this.starved.get(key)
      // Silent and not known to have lag: ask (again, once per bound: the log may have grown).
      const ask = current?.reason !== 'records-waiting' && (queried === undefined || now - queried >= bound)
      if (p.endOffset === undefined || start === undefined || p.endOffset <= start) {
        if (ask) unknown.push(p)
        if (current?.reason === 'log-end-unknown' && !this.queryFailed.has(key)) {
          // The broker answered again: no longer cut off (and not known to have records waiting).
          this.starved.delete(key)
          flowing.push({ topic: p.topic, partition: p.partition })
        } else if (current === undefined && p.endOffset === undefined && this.queryFailed.has(key)) {
          const starved: StarvedPartition = { topic: p.topic, partition: p.partition, epoch: p.epoch, silentMs, position: start, endOffset: undefined, reason: 'log-end-unknown' }
          this.starved.set(key, starved)
          newly.push(starved)
        }
        continue
      }
      if (current?.reason === 'records-waiting') continue
      const starved: StarvedPartition = { topic: p.topic, partition: p.partition, epoch: p.epoch, silentMs, position: start, endOffset: p.endOffset, reason: 'records-waiting' }
      this.starved.set(key, starved)
      newly.push(starved)
    }
    if (flowing.length > 0) this.deps.emit('partition.flowing', { partitions: flowing })
    if (newly.length > 0) {
      const waiting = newly.filter((s) => s.reason === 'records-waiting')
      const cutOff = newly.filter((s) => s.reason === 'log-end-unknown')
      if (waiting.length > 0) {
        this.deps.logger.warn('partitions deliver nothing although they have records to read', {
          partitions: waiting.map((s) => `${s.topic}/${s.partition} at ${s.position} of ${s.endOffset}`).join(','),
          silentMs: waiting[0]?.silentMs,
        })
      }
      if (cutOff.length > 0) {
        this.deps.logger.warn('partitions deliver nothing and the client cannot learn where their logs end: it cannot reach the cluster', {
          partitions: cutOff.map((s) => `${s.topic}/${s.partition}`).join(','),
          silentMs: cutOff[0]?.silentMs,
        })
      }
      this.deps.emit('partition.starved', { partitions: newly })
    }
    this.queryEnds(unknown)
  }

  /** Asks the client where silent partitions end (and start); the answer lands before the next pass. */
  private queryEnds(partitions: readonly WatchedPartition[]): void {
    const query = this.deps.queryEndOffsets
    const wanted = partitions.filter((p) => !this.querying.has(topicPartitionKey(p.topic, p.partition)))
    if (query === undefined || wanted.length === 0) return
    const now = this.deps.clock.now()
    for (const p of wanted) {
      this.querying.add(topicPartitionKey(p.topic, p.partition))
      this.queriedAt.set(topicPartitionKey(p.topic, p.partition), now)
    }
    const done = (): void => {
      for (const p of wanted) this.querying.delete(topicPartitionKey(p.topic, p.partition))
    }
    callPort(() => query(wanted)).then(
      (offsets) => {
        done()
        if (this.stopped) return
        for (const p of wanted) this.queryFailed.delete(topicPartitionKey(p.topic, p.partition))
        const epochs = new Map(wanted.map((p) => [topicPartitionKey(p.topic, p.partition), p.epoch]))
        for (const { topic, partition, start } of offsets) {
          const epoch = epochs.get(topicPartitionKey(topic, partition))
          if (start !== undefined && epoch !== undefined) this.startHints.set(topicPartitionKey(topic, partition), { epoch, offset: start })
        }
        this.deps.endOffsetsKnown(offsets.map(({ topic, partition, end }) => ({ topic, partition, offset: end })))
      },
      (error: unknown) => {
        done()
        if (!this.stopped) for (const p of wanted) this.queryFailed.add(topicPartitionKey(p.topic, p.partition))
        this.deps.logger.debug('end offsets query failed', { error: String(error) })
      },
    )
  }

  /**
   * The group check: asks where every subscribed partition's group committed offset and log end
   * are, at most once per quarter bound, one question at a time; the answer is judged when it lands.
   */
  private checkGroup(now: number): void {
    const bound = this.deps.options.groupStallMs
    const query = this.deps.queryGroupOffsets
    if (bound === 0 || query === undefined || this.groupQuerying) return
    if (this.groupQueriedAt !== undefined && now - this.groupQueriedAt < Math.max(100, Math.floor(bound / 4))) return
    this.groupQuerying = true
    this.groupQueriedAt = now
    // A port that throws instead of rejecting (a client not connected) must not break the timer.
    callPort(query).then(
      (rows) => {
        this.groupQuerying = false
        if (!this.stopped) this.groupOffsetsKnown(rows)
      },
      (error: unknown) => {
        this.groupQuerying = false
        this.deps.logger.debug('group offsets query failed', { error: String(error) })
      },
    )
  }

  /**
   * A partition not owned here whose committed offset is behind its log end and has not moved for
   * the bound is stalled; it flows again once the offset moves, the lag is gone, or it is owned
   * here (the owned checks watch it then). No verdict for a partition whose committed offset the
   * coordinator did not give.
   */
  private groupOffsetsKnown(rows: readonly LogOffsets[]): void {
    const now = this.deps.clock.now()
    const bound = this.deps.options.groupStallMs
    const owned = new Set<string>()
    for (const p of this.deps.owned()) owned.add(topicPartitionKey(p.topic, p.partition))
    const listed = new Set<string>()
    const newly: GroupStalledPartition[] = []
    const flowing: TopicPartition[] = []
    for (const { topic, partition, start, end } of rows) {
      const key = topicPartitionKey(topic, partition)
      listed.add(key)
      if (start === undefined) continue
      const behind = this.groupBehind.get(key)
      if (owned.has(key) || end <= start || behind?.start !== start) {
        if (owned.has(key) || end <= start) this.groupBehind.delete(key)
        else this.groupBehind.set(key, { start, since: now })
        if (this.groupStalled.delete(key)) flowing.push({ topic, partition })
        continue
      }
      if (now - behind.since < bound) continue
      const stalled: GroupStalledPartition = { topic, partition, committed: start, endOffset: end, sinceMs: now - behind.since }
      if (!this.groupStalled.has(key)) newly.push(stalled)
      this.groupStalled.set(key, stalled)
    }
    for (const [key, s] of this.groupStalled) {
      if (listed.has(key)) continue
      this.groupStalled.delete(key)
      flowing.push({ topic: s.topic, partition: s.partition })
    }
    for (const key of this.groupBehind.keys()) if (!listed.has(key)) this.groupBehind.delete(key)
    if (flowing.length > 0) this.deps.emit('group.partition.flowing', { partitions: flowing })
    if (newly.length === 0) return
    this.deps.logger.warn('partitions of the group make no progress although they have records to read, and this consumer does not own them: the member that owns them is stuck, or no member was given them', {
      partitions: newly.map((s) => `${s.topic}/${s.partition} committed ${s.committed} of ${s.endOffset}`).join(','),
      sinceMs: newly[0]?.sinceMs,
    })
    this.deps.emit('group.partition.stalled', { partitions: newly })
  }

  /**
   * A timer only while there is something to watch: a failing or outstanding commit, a stall to
   * clear, or (with starvation checks on) the consumer's partitions. An idle engine holds none.
   */
  private arm(): void {
    if (this.stopped) return
    const { commitStallMs, starvationMs, groupStallMs } = this.deps.options
    const commits = commitStallMs > 0 && (this.inFlight !== undefined || this.failing.size > 0 || this.stalled.size > 0)
    const deliveries = starvationMs > 0
    const group = groupStallMs > 0 && this.deps.queryGroupOffsets !== undefined
    if (!commits && !deliveries && !group) {
      this.timer?.()
      this.timer = undefined
      return
    }
    const periodMs = Math.max(100, Math.floor(Math.min(commits ? commitStallMs : Infinity, deliveries ? starvationMs : Infinity, group ? groupStallMs : Infinity) / 4))
    // A commit failing under a long starvation period needs the shorter one now.
    if (this.timer !== undefined && this.periodMs <= periodMs) return
    this.timer?.()
    this.periodMs = periodMs
    this.timer = this.deps.clock.schedule(periodMs, () => {
      this.timer = undefined
      this.check()
    })
  }
}
