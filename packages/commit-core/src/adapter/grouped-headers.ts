import type { RecordHeader } from '../consumed-record.js'

/** Headers as kafkajs and the confluent KafkaJS API hand them out: grouped by key. */
export type GroupedHeaders<B> = Record<string, B | string | ReadonlyArray<B | string> | undefined>

const utf8 = new TextEncoder()

/**
 * Grouped headers → offsetkit's list. Repeated keys keep the order of their values; the
 * interleaving of different keys is not recoverable from a grouped object.
 */
export function headersFromGrouped<B extends Uint8Array>(headers: GroupedHeaders<B> | undefined): readonly RecordHeader[] {
  // Per record on the hot path: no allocation for the common record without headers.
  if (headers === undefined) return NO_HEADERS
  let list: RecordHeader[] | undefined
  for (const key in headers) {
    if (!Object.hasOwn(headers, key)) continue
    const value = headers[key]
    list ??= []
    for (const one of Array.isArray(value) ? value : [value]) {
      list.push({ key, value: one === undefined ? null : typeof one === 'string' ? utf8.encode(one) : (one as B) })
    }
  }
  return list ?? NO_HEADERS
}

/** The headers of every record that has none: one shared, frozen list (no allocation per record). */
export const NO_HEADERS: readonly RecordHeader[] = Object.freeze([])

/** offsetkit's list → grouped headers, each value converted by `toBytes` (e.g. `Buffer.from`). */
export function headersToGrouped<B>(headers: readonly RecordHeader[], toBytes: (value: Uint8Array) => B): Record<string, B[]> {
  const grouped: Record<string, B[]> = {}
  for (const { key, value } of headers) (grouped[key] ??= []).push(toBytes(value ?? new Uint8Array(0)))
  return grouped
}
