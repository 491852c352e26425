import type { ClientPort, CommitEntry } from './client-port.js'
import type { CancelTimer, Clock } from './clock.js'
import type { CommitDecision, CommitPolicy, CommitPolicyState, CommitTrigger } from './commit-policy.js'
import { callQuietly } from './call-quietly.js'
import type { Logger } from './logger.js'
import type { CommitOffset } from './offset.js'
import type { PartitionState } from './partition-state.js'

/** The consumer-wide state the policy decides on (the policy sees it read-only). */
export interface MutablePolicyState {
  trigger: CommitTrigger
  recordsSinceCommit: number
  lastCommitAt: number
  pending: boolean
}

export interface CommitSchedulerDeps<N> {
  readonly clock: Clock
  readonly logger: Logger
  readonly policy: CommitPolicy
  readonly port: Pick<ClientPort<N>, 'storeOffsets' | 'capabilities'>
  /** Asks the pipeline for a policy commit of every owned partition; `hold` waits for it. */
  requestCommit(sync: boolean, hold?: PartitionState<N>): void
  owned(): Iterable<PartitionState<N>>
  /** The partition's sync holds are lifted: it may dispatch again. */
  dispatchable(state: PartitionState<N>): void
  closing(): boolean
  reconcile(): void
}

/**
 * When to commit (DESIGN 8): feeds the policy its state on every trigger (a record done, the
 * tick, a batch end), turns its decision into a pipeline request, holds dispatch for sync
 * decisions, and for the client-native `auto` policy hands moved watermarks to the client's
 * offset store instead.
 */
export class CommitScheduler<N> {
  private readonly state: MutablePolicyState
  private readonly storeDirty = new Set<PartitionState<N>>()
  private tickTimer: CancelTimer | undefined
  private lastTickAt = Number.NEGATIVE_INFINITY

  constructor(private readonly deps: CommitSchedulerDeps<N>) {
    this.state = { trigger: 'record', recordsSinceCommit: 0, lastCommitAt: deps.clock.now(), pending: false }
  }

  /** `count` records of `state` are done (a batch: its records); `moved`: the partition's watermark moved with them. */
  recordDone(state: PartitionState<N>, moved: boolean, count = 1): void {
    this.state.recordsSinceCommit += count
    if (moved) this.watermarkMoved(state)
    this.decide('record', state)
  }

  watermarkMoved(state: PartitionState<N>): void {
    this.state.pending = true
    if (this.deps.policy.kind === 'auto') this.storeDirty.add(state)
  }

  /** A manual commit() counts as the commit the policy waits for. */
  committedByHand(): void {
    this.state.recordsSinceCommit = 0
    this.state.pending = false
    this.state.lastCommitAt = this.deps.clock.now()
  }

  /** Released: nothing of it is stored any more. */
  forget(state: PartitionState<N>): void {
    this.storeDirty.delete(state)
  }

  decide(trigger: CommitTrigger, state: PartitionState<N> | undefined): void {
    const { policy, clock, logger } = this.deps
    const policyState = this.state
    policyState.trigger = trigger
    let decision: CommitDecision
    // NaN, not a stale time: a policy that declared it ignores time on records cannot be fooled.
    const now = trigger !== 'record' || policy.timeOnRecord ? clock.now() : Number.NaN
    try {
      decision = policy.decide(policyState as CommitPolicyState, now)
    } catch (error) {
      logger.error('commit policy threw; not committing', { error: String(error) })
      return
    }
    if (decision === 'none') return
    if (decision !== 'async' && decision !== 'sync') {
      logger.error("commit policy returned an unknown decision; expected 'none', 'async' or 'sync'", { decision: String(decision) })
      return
    }
    policyState.recordsSinceCommit = 0
    policyState.pending = false
    policyState.lastCommitAt = Number.isNaN(now) ? clock.now() : now
    this.stop()
    if (decision === 'async') {
      this.deps.requestCommit(false)
      return
    }
    // A sync decision holds dispatch of the partition(s) until the broker answered.
    const held = state !== undefined ? [state] : [...this.deps.owned()].filter((s) => s.active)
    if (held.length === 0) this.deps.requestCommit(true)
    for (const s of held) {
      s.syncHolds++
      this.deps.requestCommit(true, s)
    }
  }

  /** The sync commit these partitions waited for settled (or was parked by a rebalance). */
  liftSyncHolds(held: readonly PartitionState<N>[]): void {
    for (const state of held) {
      state.syncHolds--
      if (state.syncHolds === 0) this.deps.dispatchable(state)
    }
    this.deps.reconcile()
  }

  /** Hands moved watermarks to the client's offset store (`auto` policy). */
  storeOffsets(): void {
    if (this.storeDirty.size === 0) return
    const port = this.deps.port
    const entries: CommitEntry[] = []
    for (const state of this.storeDirty) {
      // Only partitions whose watermark moved are here, so it is defined and new.
      entries.push(state.commitEntry(state.tracker.watermark() as CommitOffset, port.capabilities.leaderEpoch))
    }
    this.storeDirty.clear()
    callQuietly(this.deps.logger, 'storeOffsets', () => (port.storeOffsets as NonNullable<ClientPort<N>['storeOffsets']>)(entries))
  }

  /** Time-based policies need a tick so that a quiet consumer still commits its last records. */
  armTick(): void {
    const { policy, clock } = this.deps
    const tickMs = policy.tickMs
    if (tickMs === undefined || this.tickTimer !== undefined || this.deps.closing()) return
    const state = this.state
    if (!state.pending && state.recordsSinceCommit === 0) return
    const at = Math.max(state.lastCommitAt + tickMs, this.lastTickAt + tickMs)
    this.tickTimer = clock.schedule(Math.max(0, at - clock.now()), () => {
      this.tickTimer = undefined
      this.lastTickAt = clock.now()
      this.decide('timer', undefined)
      this.deps.reconcile()
    })
  }

  /** Cancels the tick (a commit was just decided, or the engine closes). */
  stop(): void {
    this.tickTimer?.()
    this.tickTimer = undefined
  }
}
