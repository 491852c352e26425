/** Small, exact statistics over a handful of runs or a few thousand latencies. */

export function median(values: readonly number[]): number | undefined {
  return percentile(values, 50)
}

/** Linear interpolation between closest ranks; undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  const lo = sorted[low] as number
  const hi = sorted[high] as number
  return lo + (hi - lo) * (rank - low)
}

export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
}

export function spread(values: readonly number[]): Spread | undefined {
  const m = median(values)
  if (m === undefined) return undefined
  return { median: m, min: Math.min(...values), max: Math.max(...values) }
}

/** Deterministic shuffle (mulberry32), so a printed seed replays the run order. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let state = seed >>> 0
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
