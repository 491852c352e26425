/** One partition of one topic: the unit offsets are tracked and committed per. */
export interface TopicPartition {
  /** Topic name. */
  readonly topic: string
  /** Partition number within the topic (0-based). */
  readonly partition: number
}

/** Map key for a partition; NUL cannot appear in a Kafka topic name. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

/** `[{ topic, partitions: [...] }]`, the shape kafkajs-style pause/resume calls take. */
export function groupByTopic(partitions: readonly TopicPartition[]): Array<{
  /** Topic name. */
  topic: string
  /** Its partitions, in input order. */
  partitions: number[]
}> {
  const topics = new Map<string, number[]>()
  for (const { topic, partition } of partitions) {
    const list = topics.get(topic)
    if (list === undefined) topics.set(topic, [partition])
    else list.push(partition)
  }
  return [...topics].map(([topic, list]) => ({ topic, partitions: list }))
}
