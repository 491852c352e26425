import { PartitionState, TrackedEntry, type Lane } from '../src/partition-state.js'
import { PartitionTracker } from '../src/partition-tracker.js'
import { commitOffsetFromBigInt } from '../src/index.js'
import { record } from './harness.js'

// Fixtures for the engine's parts tested alone (dispatcher, flow control, failures, scheduler).

export function partition(topic = 't', index = 0, options: { keyed?: boolean; laneLimit?: number; epoch?: number } = {}): PartitionState<string> {
  const state = new PartitionState<string>(topic, index, options.epoch ?? 1, new PartitionTracker(commitOffsetFromBigInt(0n)), 0)
  state.resetLanes(options.keyed ?? false, options.laneLimit ?? 1)
  return state
}

/** Tracks a record of `state` (offset `offset`) in `lane` (the partition's lane by default). */
export function tracked(state: PartitionState<string>, offset: number, lane: Lane<string> = state.lane as Lane<string>, key?: string): TrackedEntry<string> {
  const entry = new TrackedEntry(record(state.topic, state.partition, offset, key === undefined ? {} : { key }), state, state.epoch, lane, 0)
  state.tracker.track(entry)
  return entry
}
