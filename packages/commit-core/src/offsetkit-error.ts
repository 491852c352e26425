/**
 * Base of every error offsetkit surfaces. One subclass per concern, each with a `code` union, so
 * callers branch on `code` instead of parsing messages, and raw client errors only ever appear as
 * `cause`.
 */
export abstract class OffsetkitError extends Error {
  abstract readonly code: string
  /** Whether repeating the same operation later can succeed without any other change. */
  readonly retriable: boolean

  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    this.name = new.target.name
    this.retriable = options.retriable ?? false
  }
}

/** Renders any value for an error message without throwing (bigints, symbols, cycles). */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return `${value}n`
    case 'string':
      return JSON.stringify(value)
    case 'function':
      return '[function]'
    case 'symbol':
      return value.toString()
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) return `[array(${value.length})]`
      try {
        return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value)
      } catch {
        return '[object]'
      }
    }
    default:
      return String(value)
  }
}
