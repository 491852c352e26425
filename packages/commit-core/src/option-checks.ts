import { ConfigError } from './config-error.js'

// Small assertions shared by the option resolvers; each throws a ConfigError naming the option.

/** Whether `value` is a plain object (`{}` literal or null prototype), not an array or class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

export function checkObject(option: string, value: unknown, allowedKeys: readonly string[], accepted: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new ConfigError(option, value, accepted)
  checkKnownKeys(option, value, allowedKeys, allowedKeys)
  return value
}

/**
 * Throws a ConfigError for the first key of `value` not in `allowedKeys`, suggesting the closest
 * of `listedKeys` (what the user can set; hooks such as `clock` are accepted but not advertised).
 */
export function checkKnownKeys(option: string, value: Record<string, unknown>, allowedKeys: readonly string[], listedKeys: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (allowedKeys.includes(key)) continue
    const suggestion = closestName(key, listedKeys)
    const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`
    throw new ConfigError(`${option}.${key}`, value[key], `no such option${hint}; known options of ${option} are ${listedKeys.join(', ')}`)
  }
}

/** The candidate nearest to `name` (case-insensitive edit distance), if it is near enough to be a typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  // A third of the name may differ: `fromBegining`, `comit`, `maxInflight`; `x` suggests nothing.
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined
}

/** Levenshtein distance, adjacent transpositions counting as one edit. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = d
    }
  }
  return rows[a.length]![b.length]!
}

export function checkInteger(option: string, value: unknown, min: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(option, value, `an integer >= ${min}`)
  }
  return value
}

export function checkNumber(option: string, value: unknown, min: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ConfigError(option, value, `a finite number >= ${min}`)
  }
  return value
}

export function checkOneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(option, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`)
  }
  return value as T
}

export function checkFunction(option: string, value: unknown): void {
  if (typeof value !== 'function') throw new ConfigError(option, value, 'a function')
}
