import { offsetFromString, type ConsumedRecord, type RecordHeader } from '@offsetkit/commit-core'
import { headersFromGrouped, headersToGrouped, timestampFromString } from '@offsetkit/commit-core/adapter'
import type { KafkaJS } from '@confluentinc/kafka-javascript'

/** The KafkaJS API groups headers by key (repeated keys become an array), as kafkajs does. */
export const headersFromConfluent = (headers: KafkaJS.IHeaders | undefined): readonly RecordHeader[] => headersFromGrouped<Buffer>(headers)

export const headersToConfluent = (headers: readonly RecordHeader[]): KafkaJS.IHeaders => headersToGrouped(headers, (value) => Buffer.from(value))

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
    timestamp: timestampFromString(message.timestamp),
    ...(typeof leaderEpoch === 'number' && leaderEpoch >= 0 ? { leaderEpoch } : {}),
    native: message,
  }
}
