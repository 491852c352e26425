import { offsetFromNumber, type ConsumedRecord, type RecordHeader } from '@offsetkit/commit-core'
import { NO_HEADERS } from '@offsetkit/commit-core/adapter'
import type { Message, MessageHeader } from 'node-rdkafka'

const utf8 = new TextEncoder()

function bytes(value: Buffer | string | null | undefined): Uint8Array | null {
  if (value === undefined || value === null) return null
  return typeof value === 'string' ? utf8.encode(value) : value
}

/**
 * node-rdkafka hands headers out as a list of one-key objects, `[{ key: Buffer }]`, in record
 * order (NRD src/common.cc). A null header value arrives as an empty Buffer: librdkafka does not
 * tell the two apart here.
 */
export function headersFromNodeRdkafka(headers: readonly MessageHeader[] | undefined): readonly RecordHeader[] {
  if (headers === undefined || headers.length === 0) return NO_HEADERS
  const list: RecordHeader[] = []
  for (const header of headers) {
    for (const [key, value] of Object.entries(header)) list.push({ key, value: bytes(value) })
  }
  return list
}

export function headersToNodeRdkafka(headers: readonly RecordHeader[]): MessageHeader[] {
  return headers.map(({ key, value }) => ({ [key]: value === null ? Buffer.alloc(0) : Buffer.from(value) }))
}

/** node-rdkafka offsets are JS numbers; there is no leader epoch on its messages. */
export function recordFromNodeRdkafka(message: Message): ConsumedRecord<Message> {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: offsetFromNumber(message.offset),
    key: bytes(message.key),
    value: message.value,
    headers: headersFromNodeRdkafka(message.headers),
    timestamp: message.timestamp ?? 0,
    native: message,
  }
}
