import { offsetFromString, type ConsumedRecord, type RecordHeader } from '@offsetkit/commit-core'
import { headersFromGrouped, headersToGrouped, timestampFromString } from '@offsetkit/commit-core/adapter'
import type { IHeaders, KafkaMessage } from 'kafkajs'

export const headersFromKafkajs = (headers: IHeaders | undefined): readonly RecordHeader[] => headersFromGrouped<Buffer>(headers)

export const headersToKafkajs = (headers: readonly RecordHeader[]): IHeaders => headersToGrouped(headers, (value) => Buffer.from(value))

/** kafkajs hands out offsets and timestamps as decimal strings. */
export function recordFromKafkajs(topic: string, partition: number, message: KafkaMessage): ConsumedRecord<KafkaMessage> {
  return {
    topic,
    partition,
    offset: offsetFromString(message.offset),
    key: message.key ?? null,
    value: message.value,
    headers: headersFromKafkajs(message.headers),
    timestamp: timestampFromString(message.timestamp),
    native: message,
  }
}
