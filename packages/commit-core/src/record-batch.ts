import type { EngineRecord } from './client-port.js'
import type { RecordOffset } from './offset.js'

/**
 * What a batch handler gets: records of ONE partition that the client delivered together, in
 * offset order (never empty). The batch is one unit of work: done when the handler resolves,
 * retried, skipped, dead-lettered (record by record) or stopping its partition as a whole, and
 * committed past only once it is done.
 */
export interface RecordBatch<R extends EngineRecord = EngineRecord> {
  /** Topic of every record in the batch. */
  readonly topic: string
  /** Partition of every record in the batch. */
  readonly partition: number
  /** In offset order; offsets may have gaps (compaction, transaction markers). */
  readonly records: readonly R[]
  /** The first record's offset. */
  readonly firstOffset: RecordOffset
  /** The last record's offset: once the batch is done, the committed offset is this plus one. */
  readonly lastOffset: RecordOffset
}

/**
 * The engine's side of a batch: tracked and dispatched like one record (`offset` = the first
 * record's, `lastOffset` and `count` for the tracker and the in-flight bounds). In events of a
 * batch consumer, `record` is this object: a {@link RecordBatch} whose `offset` is its first.
 */
export class EngineBatch<N> implements EngineRecord<N>, RecordBatch<EngineRecord<N>> {
  readonly offset: RecordOffset
  readonly firstOffset: RecordOffset
  readonly lastOffset: RecordOffset
  readonly count: number
  readonly leaderEpoch: number | undefined
  /** A batch has no message of its own: its records carry theirs. */
  readonly native: N

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly records: readonly EngineRecord<N>[],
  ) {
    const first = records[0] as EngineRecord<N>
    const last = records[records.length - 1] as EngineRecord<N>
    this.offset = first.offset
    this.firstOffset = first.offset
    this.lastOffset = last.offset
    this.count = records.length
    this.leaderEpoch = last.leaderEpoch
    this.native = undefined as N
  }
}

/** The records an entry stands for: a batch's, or the record itself. */
export function recordsOf<N>(record: EngineRecord<N>): readonly EngineRecord<N>[] {
  return record instanceof EngineBatch ? (record.records as readonly EngineRecord<N>[]) : [record]
}
