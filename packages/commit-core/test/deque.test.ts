import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Deque } from '../src/deque.js'
import { fcParams } from './fc-params.js'

const capacityOf = (d: Deque<number>): number => (d as unknown as { items: unknown[] }).items.length

/** One fetched batch: `size` records queued, then all taken again. */
function batch(d: Deque<number>, size: number): void {
  for (let i = 0; i < size; i++) d.pushBack(i)
  for (let i = 0; i < size; i++) d.shift()
}

describe('Deque capacity', () => {
  it('keeps a working set that comes back every batch instead of halving and doubling it each time', () => {
    const d = new Deque<number>()
    batch(d, 500)
    batch(d, 500)
    const capacities = new Set<number>()
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 500; j++) {
        d.pushBack(j)
        capacities.add(capacityOf(d))
      }
      for (let j = 0; j < 500; j++) {
        d.shift()
        capacities.add(capacityOf(d))
      }
    }
    expect([...capacities]).toEqual([512])
  })

  it('gives a kept capacity up once the working set stays away', () => {
    const d = new Deque<number>()
    for (let i = 0; i < 3; i++) batch(d, 500)
    expect(capacityOf(d)).toBe(512)
    for (let i = 0; i < 60; i++) batch(d, 10)
    expect(capacityOf(d)).toBeLessThanOrEqual(256)
  })

  it('a burst after a kept working set shrinks back to it as it drains', () => {
    const d = new Deque<number>()
    for (let i = 0; i < 3; i++) batch(d, 500)
    for (let i = 0; i < 10_000; i++) d.pushBack(i)
    for (let i = 0; i < 9_990; i++) d.shift()
    expect(capacityOf(d)).toBe(512)
    expect(d.at(0)).toBe(9_990)
  })

  it('holds exactly what an array would, whatever the pushes and shifts', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('back' as const), n: fc.integer({ min: 1, max: 700 }) }),
      fc.record({ kind: fc.constant('front' as const), n: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ kind: fc.constant('shift' as const), n: fc.integer({ min: 1, max: 700 }) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const d = new Deque<number>()
        const model: number[] = []
        let next = 0
        for (const { kind, n } of ops) {
          for (let i = 0; i < n; i++) {
            if (kind === 'back') {
              d.pushBack(next)
              model.push(next++)
            } else if (kind === 'front') {
              d.pushFront(next)
              model.unshift(next++)
            } else {
              expect(d.shift()).toBe(model.shift())
            }
          }
          expect(d.size).toBe(model.length)
          expect(d.peekFront()).toBe(model[0])
          expect(d.at(model.length - 1)).toBe(model.at(-1))
          expect(capacityOf(d)).toBeGreaterThanOrEqual(model.length)
        }
      }),
      fcParams('deque vs an array', 50),
    )
  })
})
