import { offsetFromString, type ConsumedRecord, type RecordHeader } from '@offsetkit/commit-core'
import type { IHeaders, KafkaMessage } from 'kafkajs'

const utf8 = new TextEncoder()

function headerValue(value: Buffer | string | undefined): Uint8Array | null {
  if (value === undefined) return null
  return typeof value === 'string' ? utf8.encode(value) : value
}

export function headersFromKafkajs(headers: IHeaders | undefined): RecordHeader[] {
  const list: RecordHeader[] = []
  for (const [key, value] of Object.entries(headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) list.push({ key, value: headerValue(one) })
  }
  return list
}

export function headersToKafkajs(headers: readonly RecordHeader[]): IHeaders {
  const object: Record<string, Buffer[]> = {}
  for (const { key, value } of headers) (object[key] ??= []).push(value === null ? Buffer.alloc(0) : Buffer.from(value))
  return object
}

/** kafkajs hands out offsets and timestamps as decimal strings. */
export function recordFromKafkajs(topic: string, partition: number, message: KafkaMessage): ConsumedRecord<KafkaMessage> {
  return {
    topic,
    partition,
    offset: offsetFromString(message.offset),
    key: message.key ?? null,
    value: message.value,
    headers: headersFromKafkajs(message.headers),
    timestamp: Number(message.timestamp),
    native: message,
  }
}
