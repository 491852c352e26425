import type { OutputHeader, OutputRecord } from './client-port.js'
import type { OutputMessage } from './commit-engine-options.js'
import { ConfigError } from './config-error.js'

/**
 * Checks what a handler passes to `context.send` and copies it into the shape ports produce:
 * a bad value fails the handler's call at once, naming the field, instead of failing a
 * transaction later where nobody can tell which record sent it.
 */
export function outputRecords(topic: unknown, messages: unknown): OutputRecord[] {
  if (typeof topic !== 'string' || topic === '') throw new ConfigError('send(topic)', topic, 'a topic name (non-empty string)')
  const list: readonly unknown[] = Array.isArray(messages) ? messages : [messages]
  return list.map((message, i) => {
    const field = `send(${topic}).messages[${i}]`
    if (typeof message !== 'object' || message === null) throw new ConfigError(field, message, '{ value, key?, partition?, headers? }')
    const { key, value, partition, headers } = message as OutputMessage
    for (const [name, v] of [['value', value], ['key', key]] as const) {
      if (!(v === null || typeof v === 'string' || v instanceof Uint8Array || (name === 'key' && v === undefined))) {
        throw new ConfigError(`${field}.${name}`, v, 'a string, a Uint8Array or null')
      }
    }
    if (partition !== undefined && (!Number.isSafeInteger(partition) || partition < 0)) {
      throw new ConfigError(`${field}.partition`, partition, 'a partition number (integer ≥ 0)')
    }
    return { topic, key: key ?? null, value, ...(partition !== undefined && { partition }), headers: outputHeaders(`${field}.headers`, headers) }
  })
}

function outputHeaders(field: string, headers: unknown): OutputHeader[] {
  if (headers === undefined) return []
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new ConfigError(field, headers, 'an object of header name → string or Uint8Array')
  }
  return Object.entries(headers).map(([key, value]) => {
    if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw new ConfigError(`${field}.${key}`, value, 'a string or a Uint8Array')
    return { key, value }
  })
}
