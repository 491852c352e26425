import type { PartitionState } from './partition-state.js'
import { topicPartitionKey } from './topic-partition.js'

/** The partitions this consumer owns now, by topic and partition; draining and fenced ones included. */
export class OwnedPartitions<N> {
  private readonly byKey = new Map<string, PartitionState<N>>()
  /** Records of a batch mostly share a partition: the last one found is checked first. */
  private cached: PartitionState<N> | undefined
  private epochs = 0

  get size(): number {
    return this.byKey.size
  }

  /** Each assignment (and each seek) gets a new epoch. */
  nextEpoch(): number {
    return ++this.epochs
  }

  get(topic: string, partition: number): PartitionState<N> | undefined {
    const cached = this.cached
    if (cached !== undefined && cached.partition === partition && cached.topic === topic) return cached
    const state = this.byKey.get(topicPartitionKey(topic, partition))
    if (state !== undefined) this.cached = state
    return state
  }

  add(state: PartitionState<N>): void {
    this.byKey.set(topicPartitionKey(state.topic, state.partition), state)
  }

  remove(state: PartitionState<N>): void {
    this.byKey.delete(topicPartitionKey(state.topic, state.partition))
    if (this.cached === state) this.cached = undefined
  }

  values(): IterableIterator<PartitionState<N>> {
    return this.byKey.values()
  }
}
