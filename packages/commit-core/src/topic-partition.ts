export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

/** Map key for a partition; NUL cannot appear in a Kafka topic name. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
