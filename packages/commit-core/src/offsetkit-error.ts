import { redactSecrets, redactText } from './redact-secrets.js'

/**
 * Marks every OffsetkitError through its prototype. `Symbol.for` is shared by every copy of this
 * package loaded in one process (ESM and CJS builds, two installed versions), where `instanceof`
 * is not.
 */
const BRAND = Symbol.for('@offsetkit/error')

/**
 * Base of every error offsetkit surfaces. One subclass per concern, each with a `code` union, so
 * callers branch on `code` instead of parsing messages, and raw client errors only ever appear as
 * `cause`.
 */
export abstract class OffsetkitError extends Error {
  /** What went wrong, as a stable string; each subclass narrows it to its own union. */
  abstract readonly code: string
  /** Whether repeating the same operation later can succeed without any other change. */
  readonly retriable: boolean

  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    this.name = new.target.name
    this.retriable = options.retriable ?? false
  }
}
Object.defineProperty(OffsetkitError.prototype, BRAND, { value: true })

/**
 * Whether `error` is an error offsetkit raised (any subclass), also when it comes from another
 * copy of offsetkit in the process (ESM and CJS builds both loaded), where `instanceof` fails.
 * Branch on its `code` afterwards.
 */
export function isOffsetkitError(error: unknown): error is OffsetkitError {
  if (error instanceof OffsetkitError) return true
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true
    && typeof (error as { code?: unknown }).code === 'string'
}

/**
 * Renders any value for an error message without throwing (bigints, symbols, cycles), secrets
 * redacted (see redact-secrets.ts).
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return `${value}n`
    case 'string':
      return JSON.stringify(redactText(value))
    case 'function':
      return '[function]'
    case 'symbol':
      return value.toString()
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) return `[array(${value.length})]`
      // A client, producer or other instance: its fields (often the whole client config) say nothing useful.
      const proto: unknown = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return describeKind(value)
      try {
        const safe = redactSecrets(value)
        return JSON.stringify(safe, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(safe)
      } catch {
        return '[object]'
      }
    }
    default:
      return String(value)
  }
}

/**
 * What a value is, without showing it: for values that must not be rendered (a secret-looking
 * option, a whole client config).
 */
export function describeKind(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name
    return typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name}` : 'an object'
  }
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`
}
