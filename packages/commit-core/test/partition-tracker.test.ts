import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Deque } from '../src/deque.js'
import { commitOffsetFromBigInt, offsetFromBigInt } from '../src/index.js'
import { PartitionTracker, type TrackedRecord } from '../src/partition-tracker.js'

function rec(offset: number, leaderEpoch?: number): TrackedRecord {
  return { offset: offsetFromBigInt(BigInt(offset)), leaderEpoch, done: false }
}

const pos = (n: number) => commitOffsetFromBigInt(BigInt(n))

describe('PartitionTracker', () => {
  it('has no watermark before anything is known, and the start position when given', () => {
    expect(new PartitionTracker().watermark()).toBeUndefined()
    expect(new PartitionTracker(pos(7)).watermark()).toBe(7n)
  })

  it('in order: watermark is last done + 1', () => {
    const t = new PartitionTracker()
    const a = rec(0)
    const b = rec(1)
    t.track(a)
    t.track(b)
    expect(t.watermark()).toBe(0n)
    expect(t.complete(a)).toBe(true)
    expect(t.watermark()).toBe(1n)
    expect(t.complete(b)).toBe(true)
    expect(t.watermark()).toBe(2n)
    expect(t.inFlight).toBe(0)
  })

  it('out of order: pinned at the lowest unfinished record until it is done', () => {
    const t = new PartitionTracker()
    const rs = [0, 1, 2, 3].map((o) => rec(o))
    for (const r of rs) t.track(r)
    expect(t.complete(rs[2]!)).toBe(false)
    expect(t.complete(rs[1]!)).toBe(false)
    expect(t.watermark()).toBe(0n)
    expect(t.inFlight).toBe(2)
    expect(t.complete(rs[0]!)).toBe(true)
    expect(t.watermark()).toBe(3n)
    expect(t.complete(rs[0]!)).toBe(false) // completing twice changes nothing
    expect(t.inFlight).toBe(1)
  })

  it('steps over offset gaps (compaction, transaction markers)', () => {
    const t = new PartitionTracker(pos(10))
    const a = rec(10)
    const b = rec(15)
    t.track(a)
    t.track(b)
    t.complete(a)
    expect(t.watermark()).toBe(15n) // the gap 11..14 does not stall anything
    t.complete(b)
    expect(t.watermark()).toBe(16n)
  })

  it('uses the fetch position when it is further than highest seen + 1', () => {
    const t = new PartitionTracker()
    const a = rec(3)
    t.track(a)
    expect(t.advancePosition(pos(6))).toBe(false) // a is unfinished: watermark stays at 3
    expect(t.watermark()).toBe(3n)
    t.complete(a)
    expect(t.watermark()).toBe(6n)
    expect(t.advancePosition(pos(5))).toBe(false) // never backwards
    expect(t.advancePosition(pos(9))).toBe(true)
    expect(t.watermark()).toBe(9n)
    expect(t.advancePosition(pos(9))).toBe(false)
  })

  it('an advance that does not pass highest + 1 does not move the watermark', () => {
    const t = new PartitionTracker()
    const a = rec(8)
    t.track(a)
    t.complete(a)
    expect(t.advancePosition(pos(5))).toBe(false)
    expect(t.watermark()).toBe(9n)
  })

  it('drops duplicates and anything below the known position', () => {
    const t = new PartitionTracker(pos(5))
    expect(t.track(rec(4))).toBe(false)
    expect(t.track(rec(5))).toBe(true)
    expect(t.track(rec(5))).toBe(false)
    expect(t.track(rec(3))).toBe(false)
    t.advancePosition(pos(20))
    expect(t.track(rec(19))).toBe(false)
    expect(t.track(rec(20))).toBe(true)
    expect(t.highestSeen).toBe(20n)
  })

  it('reports the leader epoch of the last released record', () => {
    const t = new PartitionTracker()
    const a = rec(0, 3)
    const b = rec(1)
    t.track(a)
    t.track(b)
    expect(t.leaderEpoch).toBeUndefined()
    t.complete(a)
    expect(t.leaderEpoch).toBe(3)
    t.complete(b)
    expect(t.leaderEpoch).toBe(3)
  })

  it('finds tracked records by offset', () => {
    const t = new PartitionTracker()
    const rs = [1, 4, 9, 12].map((o) => rec(o))
    for (const r of rs) t.track(r)
    expect(t.find(offsetFromBigInt(9n))).toBe(rs[2])
    expect(t.find(offsetFromBigInt(1n))).toBe(rs[0])
    expect(t.find(offsetFromBigInt(12n))).toBe(rs[3])
    expect(t.find(offsetFromBigInt(5n))).toBeUndefined()
    expect(t.oldest()).toBe(rs[0])
  })

  it('matches a naive model for any completion order (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 60 }).map((a) => a.sort((x, y) => x - y)),
        fc.func(fc.integer()),
        (offsets, order) => {
          const t = new PartitionTracker()
          const rs = offsets.map((o) => rec(o))
          for (const r of rs) t.track(r)
          const completion = rs.map((r, i) => ({ r, key: order(i) })).sort((a, b) => a.key - b.key)
          const done = new Set<number>()
          for (const { r } of completion) {
            t.complete(r)
            done.add(Number(r.offset))
            const firstUndone = offsets.find((o) => !done.has(o))
            const expected = firstUndone === undefined ? BigInt(offsets[offsets.length - 1]! + 1) : BigInt(firstUndone)
            expect(t.watermark()).toBe(expected)
            expect(t.inFlight).toBe(offsets.length - done.size)
          }
        },
      ),
    )
  })
})

describe('Deque', () => {
  it('works as a queue at both ends across growth', () => {
    const d = new Deque<number>()
    for (let i = 0; i < 100; i++) d.pushBack(i)
    d.pushFront(-1)
    expect(d.size).toBe(101)
    expect(d.at(0)).toBe(-1)
    expect(d.at(100)).toBe(99)
    expect(d.at(101)).toBeUndefined()
    expect(d.at(-1)).toBeUndefined()
    expect(d.shift()).toBe(-1)
    for (let i = 0; i < 100; i++) expect(d.shift()).toBe(i)
    expect(d.shift()).toBeUndefined()
    expect(d.peekFront()).toBeUndefined()
  })

  it('grows on pushFront when full and clears', () => {
    const d = new Deque<number>()
    for (let i = 0; i < 40; i++) d.pushFront(i)
    expect(d.peekFront()).toBe(39)
    expect(d.at(39)).toBe(0)
    d.clear()
    expect(d.size).toBe(0)
  })

  it('shrinks again: memory follows what is held, not the largest burst', () => {
    const d = new Deque<number>()
    for (let i = 0; i < 10_000; i++) d.pushBack(i)
    for (let i = 0; i < 9_990; i++) d.shift()
    const capacity = (d as unknown as { items: unknown[] }).items.length
    expect(capacity).toBeLessThanOrEqual(256)
    expect(d.at(0)).toBe(9_990)
  })
})
