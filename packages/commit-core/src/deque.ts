const MIN_CAPACITY = 16
/**
 * Below this capacity a deque never shrinks: lane queues fill and drain with every fetched batch,
 * and halving/doubling on each batch would cost more than the few KiB it saves.
 */
const SHRINK_ABOVE = 256

/**
 * Growable ring buffer with O(1) push/shift at both ends and indexed access. It also shrinks
 * (down to SHRINK_ABOVE), so memory follows what is currently held, not the largest burst ever seen.
 * A capacity it grows back to after giving it up is a working set that recurs (a fetched batch
 * larger than SHRINK_ABOVE fills and empties it every time): that one is kept while it keeps
 * coming back, rather than halved and doubled on every batch.
 */
export class Deque<T> {
  private items: Array<T | undefined>
  private head = 0
  private count = 0
  private mask: number
  /** The capacity draining does not shrink below (SHRINK_ABOVE, or a recurring working set's). */
  private keep = SHRINK_ABOVE
  /** The largest capacity it ever shrank from. */
  private shrunkFrom = 0
  /** Shifts at the kept capacity since the deque last came down from above a quarter of it. */
  private lowShifts = 0

  constructor() {
    this.items = new Array<T | undefined>(MIN_CAPACITY).fill(undefined)
    this.mask = MIN_CAPACITY - 1
  }

  get size(): number {
    return this.count
  }

  pushBack(item: T): void {
    if (this.count === this.items.length) this.grow()
    this.items[(this.head + this.count) & this.mask] = item
    this.count++
  }

  pushFront(item: T): void {
    if (this.count === this.items.length) this.grow()
    this.head = (this.head - 1) & this.mask
    this.items[this.head] = item
    this.count++
  }

  peekFront(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head]
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined
    this.head = (this.head + 1) & this.mask
    this.count--
    if (this.count < this.items.length >>> 2 && this.items.length > SHRINK_ABOVE) this.drained()
    return item
  }

  /** Item `index` positions from the front, or undefined when out of range. */
  at(index: number): T | undefined {
    return index < 0 || index >= this.count ? undefined : this.items[(this.head + index) & this.mask]
  }

  clear(): void {
    this.items = new Array<T | undefined>(MIN_CAPACITY).fill(undefined)
    this.mask = MIN_CAPACITY - 1
    this.head = 0
    this.count = 0
    this.keep = SHRINK_ABOVE
    this.shrunkFrom = 0
    this.lowShifts = 0
  }

  private grow(): void {
    const capacity = this.items.length * 2
    if (capacity > SHRINK_ABOVE && capacity <= this.shrunkFrom) {
      this.keep = capacity
      this.lowShifts = 0
    }
    this.resize(capacity)
  }

  /**
   * Under a quarter of the capacity after a shift: shrink, unless this is the kept capacity and
   * its working set has come back within the last capacity-many shifts. A single burst never
   * set a kept capacity, so it shrinks away as it drains.
   */
  private drained(): void {
    const capacity = this.items.length
    if (capacity === this.keep) {
      if (this.count === (capacity >>> 2) - 1) {
        this.lowShifts = 0
        return
      }
      if (++this.lowShifts < capacity) return
      this.keep = SHRINK_ABOVE
      this.lowShifts = 0
    }
    if (capacity > this.shrunkFrom) this.shrunkFrom = capacity
    this.resize(capacity >>> 1)
  }

  private resize(capacity: number): void {
    const next = new Array<T | undefined>(capacity).fill(undefined)
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & this.mask]
    this.items = next
    this.head = 0
    this.mask = capacity - 1
  }
}
