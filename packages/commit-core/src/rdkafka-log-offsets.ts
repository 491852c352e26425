import type { LogOffsets } from './client-port.js'
import { commitOffsetFromNumber } from './offset.js'
import type { TopicPartition } from './topic-partition.js'

/**
 * The slice of a librdkafka-based consumer (node-rdkafka's KafkaConsumer, and the internal
 * client of @confluentinc/kafka-javascript, which forked from it) that tells where a partition
 * ends and where this group starts reading it.
 */
export interface RdkafkaOffsetQueries {
  /** Asks the broker for a partition's low and high watermarks (`timeout` in ms). */
  queryWatermarkOffsets(topic: string, partition: number, timeout: number, cb: (error: unknown, offsets: { highOffset: number; lowOffset: number }) => void): unknown
  /** Asks the group coordinator for the group's committed offsets (`timeout` in ms). */
  committed(partitions: TopicPartition[], timeout: number, cb: (error: unknown, partitions: Array<{ topic: string; partition: number; offset?: number }>) => void): unknown
}

/** librdkafka's names for "start at the beginning" in `auto.offset.reset`. */
const EARLIEST = new Set(['earliest', 'smallest', 'beginning'])

/**
 * `ClientPort.queryEndOffsets` for librdkafka clients: the log end, and where this consumer
 * starts (the group's committed offset, else where `autoOffsetReset` puts it: librdkafka's
 * default is latest). Two broker round trips, asked only for silent partitions. The log end comes
 * from each partition's leader; the committed offsets from the group coordinator. When the
 * coordinator does not answer (a consumer stuck "waiting for coordinator" is exactly one that
 * the starvation check must catch), the ends are still returned, without `start`.
 */
export async function queryRdkafkaLogOffsets(
  client: RdkafkaOffsetQueries,
  partitions: readonly TopicPartition[],
  autoOffsetReset: unknown,
  timeoutMs = 5_000,
): Promise<LogOffsets[]> {
  const committed = await new Promise<Array<{ topic: string; partition: number; offset?: number }> | undefined>((resolve) => {
    client.committed(partitions.map(({ topic, partition }) => ({ topic, partition })), timeoutMs, (error, rows) => resolve(error ? undefined : rows))
  })
  const earliest = typeof autoOffsetReset === 'string' && EARLIEST.has(autoOffsetReset)
  return Promise.all(
    partitions.map(async ({ topic, partition }) => {
      const { highOffset, lowOffset } = await new Promise<{ highOffset: number; lowOffset: number }>((resolve, reject) => {
        client.queryWatermarkOffsets(topic, partition, timeoutMs, (error, offsets) => (error ? reject(error) : resolve(offsets)))
      })
      const end = commitOffsetFromNumber(highOffset)
      if (committed === undefined) return { topic, partition, end }
      const row = committed.find((c) => c.topic === topic && c.partition === partition)
      // A negative offset is librdkafka's "none" (OFFSET_INVALID = -1001).
      const start = typeof row?.offset === 'number' && row.offset >= 0 ? row.offset : earliest ? lowOffset : highOffset
      return { topic, partition, end, start: commitOffsetFromNumber(start) }
    }),
  )
}
