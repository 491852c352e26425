import { offsetFromString, type ConsumedRecord, type RecordHeader } from '@offsetkit/commit-core'
import type { KafkaJS } from '@confluentinc/kafka-javascript'

const utf8 = new TextEncoder()

function headerValue(value: Buffer | string | undefined): Uint8Array | null {
  if (value === undefined) return null
  return typeof value === 'string' ? utf8.encode(value) : value
}

/**
 * The KafkaJS API groups headers by key (repeated keys become an array), so the order of values
 * under one key is kept but the interleaving of different keys is not recoverable.
 */
export function headersFromConfluent(headers: KafkaJS.IHeaders | undefined): RecordHeader[] {
  const list: RecordHeader[] = []
  for (const [key, value] of Object.entries(headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) list.push({ key, value: headerValue(one) })
  }
  return list
}

export function headersToConfluent(headers: readonly RecordHeader[]): KafkaJS.IHeaders {
  const object: Record<string, Buffer[]> = {}
  for (const { key, value } of headers) (object[key] ??= []).push(value === null ? Buffer.alloc(0) : Buffer.from(value))
  return object
}

/**
 * The KafkaJS API hands out offsets and timestamps as decimal strings. `leaderEpoch` is passed on
 * so core can commit it (KIP-320: the broker then detects a log truncated under the commit).
 */
export function recordFromConfluent(topic: string, partition: number, message: KafkaJS.KafkaMessage): ConsumedRecord<KafkaJS.KafkaMessage> {
  const leaderEpoch = message.leaderEpoch
  return {
    topic,
    partition,
    offset: offsetFromString(message.offset),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: headersFromConfluent(message.headers),
    timestamp: Number(message.timestamp),
    ...(typeof leaderEpoch === 'number' && leaderEpoch >= 0 ? { leaderEpoch } : {}),
    native: message,
  }
}
