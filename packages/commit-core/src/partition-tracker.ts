import { Deque } from './deque.js'
import { nextOffsetAfter, resumeAt, type CommitOffset, type RecordOffset } from './offset.js'

/** What the tracker needs from a record; the engine's own entries carry more. */
export interface TrackedRecord {
  /** The record's offset; for a batch, its first record's. */
  readonly offset: RecordOffset
  /** A batch: its last record's offset (absent: a single record). */
  readonly lastOffset?: RecordOffset | undefined
  /** A batch: how many records it holds (absent: 1). In-flight counts are in records. */
  readonly count?: number
  readonly leaderEpoch?: number | undefined
  /** Set by the tracker; never by anyone else. */
  done: boolean
}

/**
 * Offsets of ONE partition assignment (one epoch). Records arrive in increasing offset order, so
 * in-flight records form a sorted deque: completing the head pops the done prefix, completing any
 * other record just flags it (O(1), no search). Memory is proportional to records not yet
 * released, never to records processed.
 *
 * Watermark (= next offset to read, what gets committed):
 * - the lowest seen-but-not-done offset, if any;
 * - otherwise highest seen + 1, or the client's fetch position when that is further. Offsets have
 *   gaps (compaction, transaction markers), so "last done + 1" alone would stall at a gap forever.
 */
export class PartitionTracker<T extends TrackedRecord = TrackedRecord> {
  private readonly records = new Deque<T>()
  /** Done records still behind an unfinished head. */
  private doneBehindHead = 0
  /** Records (a batch counts its records) seen and not done. */
  private pending = 0
  private highest: RecordOffset | undefined
  private position: CommitOffset | undefined
  private releasedLeaderEpoch: number | undefined

  /** `start`: where the assignment starts reading (a committed offset or a seek target). */
  constructor(start?: CommitOffset) {
    this.position = start
  }

  /** False for duplicates and anything below a known position: those must not be tracked again. */
  accepts(offset: RecordOffset): boolean {
    return (this.highest === undefined || offset > this.highest) && (this.position === undefined || offset >= this.position)
  }

  /** Tracks a record; returns false (and tracks nothing) when `accepts` is false. */
  track(record: T): boolean {
    if (!this.accepts(record.offset)) return false
    this.highest = record.lastOffset ?? record.offset
    this.pending += record.count ?? 1
    this.records.pushBack(record)
    return true
  }

  /** Marks a tracked record done; returns true when the watermark moved. */
  complete(record: T): boolean {
    if (record.done) return false
    record.done = true
    this.pending -= record.count ?? 1
    if (this.records.peekFront() !== record) {
      this.doneBehindHead++
      return false
    }
    this.records.shift()
    let last = record
    while (this.doneBehindHead > 0) {
      const head = this.records.peekFront() as T
      if (!head.done) break
      this.records.shift()
      this.doneBehindHead--
      last = head
    }
    if (last.leaderEpoch !== undefined) this.releasedLeaderEpoch = last.leaderEpoch
    return true
  }

  /**
   * The client has read up to `next` (exclusive): everything below it was delivered or does not
   * exist. Returns true when the watermark moved.
   */
  advancePosition(next: CommitOffset): boolean {
    if (this.position !== undefined && next <= this.position) return false
    if (this.records.size > 0) {
      this.position = next
      return false
    }
    const before = this.watermark()
    this.position = next
    return this.watermark() !== before
  }

  watermark(): CommitOffset | undefined {
    const head = this.records.peekFront()
    if (head !== undefined) return resumeAt(head.offset)
    const afterHighest = this.highest === undefined ? undefined : nextOffsetAfter(this.highest)
    if (afterHighest === undefined) return this.position
    return this.position !== undefined && this.position > afterHighest ? this.position : afterHighest
  }

  /** Leader epoch of the last released record, sent along with the commit (KIP-320). */
  get leaderEpoch(): number | undefined {
    return this.releasedLeaderEpoch
  }

  get highestSeen(): RecordOffset | undefined {
    return this.highest
  }

  /** Records seen and not done (a batch counts its records). */
  get inFlight(): number {
    return this.pending
  }

  /** The oldest record not done (it is always the head). */
  oldest(): T | undefined {
    return this.records.peekFront()
  }

  /**
   * The tracked record at `offset`, done or not. Offsets are dense unless there are gaps, so the
   * distance from the head is a guess that usually hits; gaps only make the true index smaller,
   * so the guess also bounds a binary search.
   */
  find(offset: RecordOffset): T | undefined {
    const head = this.records.peekFront()
    if (head === undefined || offset < head.offset) return undefined
    const distance = offset - head.offset
    const guess = distance < BigInt(this.records.size) ? Number(distance) : this.records.size - 1
    const hit = this.records.at(guess) as T
    if (hit.offset === offset) return hit
    let low = 0
    let high = hit.offset > offset ? guess - 1 : guess
    while (low <= high) {
      const mid = (low + high) >>> 1
      const record = this.records.at(mid) as T
      if (record.offset === offset) return record
      if (record.offset < offset) low = mid + 1
      else high = mid - 1
    }
    return undefined
  }
}
