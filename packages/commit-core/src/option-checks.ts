import { ConfigError } from './config-error.js'

// Small assertions shared by the option resolvers; each throws a ConfigError naming the option.

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

export function checkObject(option: string, value: unknown, allowedKeys: readonly string[], accepted: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new ConfigError(option, value, accepted)
  for (const key of Object.keys(value)) {
    if (!allowedKeys.includes(key)) {
      throw new ConfigError(`${option}.${key}`, value[key], `no such option; known options of ${option} are ${allowedKeys.join(', ')}`)
    }
  }
  return value
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
