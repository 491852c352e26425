// Foundation smoke test: @confluentinc/kafka-javascript's KafkaJS-compatible API, manual commits only.
import { KafkaJS } from '@confluentinc/kafka-javascript'
import { expect, inject, it } from 'vitest'
import { uniqueName, waitFor } from '@offsetkit/broker'

it('confluent: 1,000 records consumed with manual commits; committed offsets read back equal the end offsets', async () => {
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: inject('kafka').bootstrapServers.split(','), logLevel: KafkaJS.logLevel.NOTHING } })
  const topic = uniqueName('smoke-confluent')
  const groupId = uniqueName('smoke-confluent-group')
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] })
  // Topics are created asynchronously in this client: wait until all three partitions have leaders.
  await waitFor(async () => (await admin.fetchTopicMetadata({ topics: [topic] }))[0]?.partitions.length === 3, { what: 'topic metadata' })
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) })
  await producer.disconnect()

  const consumer = kafka.consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false } })
  let consumed = 0
  await consumer.connect()
  await consumer.subscribe({ topics: [topic] })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      consumed++
      // Next offset to read; this client's commitOffsets resolves when the commit is queued.
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }])
    },
  })
  await waitFor(() => consumed >= 1000, { what: '1,000 records consumed' })

  const ends = await admin.fetchTopicOffsets(topic)
  const expected = Object.fromEntries(ends.map((p) => [p.partition, p.high]))
  // The commit promise does not wait for the broker, so poll the broker until it has them all.
  const committed = await waitFor(async () => {
    const [row] = await admin.fetchOffsets({ groupId, topics: [topic] })
    const got = Object.fromEntries((row?.partitions ?? []).map((p) => [p.partition, p.offset]))
    return JSON.stringify(got) === JSON.stringify(expected) ? got : undefined
  }, { what: 'committed offsets to reach the end offsets' })
  await consumer.disconnect()
  expect(consumed).toBe(1000)
  expect(ends.reduce((sum, p) => sum + Number(p.high), 0)).toBe(1000)
  expect(committed).toEqual(expected)
  await admin.disconnect()
})
