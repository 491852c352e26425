import type { CommitEntry, OutputRecord, PartitionOutputs } from './client-port.js'
import type { CommitOffset } from './offset.js'
import type { CommitScope } from './commit-pipeline.js'
import type { Logger } from './logger.js'
import { partitionFields, type CommitTarget, type PartitionState, type PreparedOffsets } from './partition-state.js'

/**
 * What a commit of `scope` carries now. Offsets are read at send time from the live state: a
 * released partition (stale epoch) can never be committed, and a coalesced request always
 * carries the latest watermark.
 */
export function prepareCommit<N>(
  scope: CommitScope<PartitionState<N>>,
  owned: Iterable<PartitionState<N>>,
  withLeaderEpoch: boolean,
  transactional = false,
  probe = false,
): PreparedOffsets<N> {
  const entries: CommitEntry[] = []
  const targets: CommitTarget<N>[] = []
  const outputs: PartitionOutputs[] = []
  // A probe with nothing moved re-commits the first unchanged offset, which the coordinator
  // accepts only from a member of the group.
  let unchanged: PartitionState<N> | undefined
  for (const state of scope === 'all' ? owned : scope) {
    if (state.released) continue
    const offset = state.tracker.watermark()
    if (offset === undefined) continue
    if (offset === state.committed) {
      unchanged ??= state
      continue
    }
    entries.push(state.commitEntry(offset, withLeaderEpoch))
    targets.push({ state, epoch: state.epoch, offset })
    if (transactional) outputs.push({ topic: state.topic, partition: state.partition, records: heldBelow(state.held, offset) })
  }
  if (probe && entries.length === 0 && unchanged !== undefined) {
    const offset = unchanged.committed as CommitOffset
    entries.push(unchanged.commitEntry(offset, withLeaderEpoch))
    targets.push({ state: unchanged, epoch: unchanged.epoch, offset })
    if (transactional) outputs.push({ topic: unchanged.topic, partition: unchanged.partition, records: [] })
  }
  return transactional ? { entries, targets, outputs } : { entries, targets }
}

/** The held outputs of records below `offset` (the next offset to read), in offset order. */
function heldBelow(held: PartitionState<unknown>['held'], offset: bigint): OutputRecord[] {
  const covered = held.filter((h) => h.offset < offset)
  if (covered.length > 1) covered.sort((a, b) => (a.offset < b.offset ? -1 : 1))
  return covered.flatMap((h) => h.records)
}

/** The broker accepted `prepared`: each partition still in the same epoch has committed it. */
export function applyCommitted<N>(
  prepared: PreparedOffsets<N>,
  logger: Logger,
  released: (state: PartitionState<N>, count: number) => void = () => undefined,
): void {
  for (const target of prepared.targets) {
    const state = target.state
    if (!state.released && state.epoch === target.epoch) {
      state.committed = target.offset
      // Produced in the committed transaction: never again.
      if (state.held.length > 0) {
        let count = 0
        state.held = state.held.filter((h) => {
          if (h.offset >= target.offset) return true
          count += h.count
          return false
        })
        state.heldRecords -= count
        released(state, count)
      }
    } else logger.debug('commit reply for an old epoch ignored', { ...partitionFields(state), epoch: target.epoch })
  }
}
