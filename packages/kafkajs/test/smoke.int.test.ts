// Foundation smoke test: the bare kafkajs client against the real broker, manual commits only.
import { Kafka, logLevel } from 'kafkajs'
import { expect, inject, it } from 'vitest'
import { uniqueName, waitFor } from '@offsetkit/broker'

it('kafkajs: 1,000 records consumed with manual commits; committed offsets read back equal the end offsets', async () => {
  const kafka = new Kafka({ brokers: inject('kafka').bootstrapServers.split(','), logLevel: logLevel.NOTHING, clientId: 'smoke' })
  const topic = uniqueName('smoke-kafkajs')
  const groupId = uniqueName('smoke-kafkajs-group')
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] })
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) })
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId })
  let consumed = 0
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      consumed++
      // The committed offset is the NEXT offset to read.
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }])
    },
  })
  await waitFor(() => consumed >= 1000, { what: '1,000 records consumed' })
  await consumer.disconnect()

  const ends = await admin.fetchTopicOffsets(topic)
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] })
  const byPartition = (rows: { partition: number; offset: string }[]) =>
    Object.fromEntries(rows.map((r) => [r.partition, r.offset]))
  expect(consumed).toBe(1000)
  expect(ends.reduce((sum, p) => sum + Number(p.high), 0)).toBe(1000)
  expect(byPartition(committed!.partitions)).toEqual(byPartition(ends.map((p) => ({ partition: p.partition, offset: p.high }))))
  await admin.disconnect()
})
