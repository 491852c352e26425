// The liveness port against a real broker: where a silent partition ends, and where this group
// starts reading it (committed offset, else auto.offset.reset), read through node-rdkafka.
import Kafka from 'node-rdkafka'
import { expect, it, onTestFinished } from 'vitest'
import { queryRdkafkaLogOffsets, type RdkafkaOffsetQueries } from '@offsetkit/commit-core'
import { consumerConfig, group, harness } from './node-rdkafka-test-kit.js'

it('reports each partition\'s log end and its start: the committed offset, else where auto.offset.reset puts it', async () => {
  const h = harness()
  const topic = await h.createTopic({ partitions: 3, prefix: 'rdkafka-log-offsets' })
  await h.produce(topic, [0, 0, 0, 0, 0, 1, 1].map((partition, i) => ({ value: String(i), partition })))
  const groupId = group()
  const consumer = new Kafka.KafkaConsumer(consumerConfig(groupId), {})
  await new Promise<void>((resolve, reject) => consumer.connect({}, (error) => (error ? reject(error) : resolve())))
  onTestFinished(() => new Promise<void>((resolve) => consumer.disconnect(() => resolve())))
  // The group has committed 3 on partition 0 only (a commit outside any membership, as tools do).
  consumer.commitSync({ topic, partition: 0, offset: 3 })
  expect((await h.committedOffsets(groupId, topic)).get(0)).toBe(3n)
  const client = consumer as unknown as RdkafkaOffsetQueries
  const partitions = [0, 1, 2].map((partition) => ({ topic, partition }))

  const earliest = await queryRdkafkaLogOffsets(client, partitions, 'earliest')
  expect(earliest.map(({ partition, end, start }) => [partition, end, start])).toEqual([[0, 5n, 3n], [1, 2n, 0n], [2, 0n, 0n]])
  const latest = await queryRdkafkaLogOffsets(client, partitions, undefined)
  expect(latest.map(({ partition, start }) => [partition, start])).toEqual([[0, 3n], [1, 2n], [2, 0n]])
})
