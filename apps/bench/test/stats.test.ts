import { describe, expect, it } from 'vitest'
import { median, percentile, shuffle, spread } from '../src/stats.js'

describe('stats', () => {
  it('median of odd, even and empty lists', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeUndefined()
  })

  it('percentiles interpolate between closest ranks', () => {
    const values = Array.from({ length: 101 }, (_, i) => i)
    expect(percentile(values, 99)).toBe(99)
    expect(percentile([10, 20], 50)).toBe(15)
    expect(percentile([5], 99)).toBe(5)
  })

  it('spread is median, min and max', () => {
    expect(spread([5, 1, 9])).toEqual({ median: 5, min: 1, max: 9 })
    expect(spread([])).toBeUndefined()
  })

  it('shuffle is a seeded permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i)
    const a = shuffle(items, 42)
    expect(a).toEqual(shuffle(items, 42))
    expect(a).not.toEqual(items)
    expect([...a].sort((x, y) => x - y)).toEqual(items)
    expect(shuffle(items, 43)).not.toEqual(a)
  })
})
