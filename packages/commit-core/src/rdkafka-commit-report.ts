import { topicPartitionKey } from './topic-partition.js'

/**
 * Whether a librdkafka 'offset.commit' report (node-rdkafka, and the internal client of
 * @confluentinc/kafka-javascript) carries exactly the offsets of a pending async commit, keyed by
 * `topicPartitionKey`. librdkafka reports EVERY commit there (commitSync ones too, served later
 * by the poll loop), so a report is matched by content, never taken as "the" reply. A failed
 * partition arrives as an Error element without topic or partition; it can only fail a commit
 * (`failed`), never acknowledge one.
 */
export function matchesRdkafkaCommitReport(expected: ReadonlyMap<string, number>, reported: readonly unknown[], failed: boolean): boolean {
  if (reported.length !== expected.size) return false
  for (const item of reported) {
    if (item instanceof Error) {
      if (!failed) return false
      continue
    }
    const { topic, partition, offset } = item as { topic?: unknown; partition?: unknown; offset?: unknown }
    if (typeof topic !== 'string' || typeof partition !== 'number' || expected.get(topicPartitionKey(topic, partition)) !== offset) return false
  }
  return true
}
