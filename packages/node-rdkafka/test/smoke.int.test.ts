// Foundation smoke test: node-rdkafka against the real broker, manual commits only.
import Kafka from 'node-rdkafka'
import { expect, inject, it } from 'vitest'
import { uniqueName, waitFor } from '@offsetkit/broker'

const call = <T>(fn: (cb: (err: unknown, value: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))))

it('node-rdkafka: 1,000 records consumed with manual commits; committed offsets read back equal the end offsets', async () => {
  const brokers = inject('kafka').bootstrapServers
  const topic = uniqueName('smoke-rdkafka')
  const groupId = uniqueName('smoke-rdkafka-group')
  const admin = Kafka.AdminClient.create({ 'metadata.broker.list': brokers })
  await call<void>((cb) => admin.createTopic({ topic, num_partitions: 3, replication_factor: 1 }, 10_000, (err) => cb(err, undefined)))
  admin.disconnect()

  const producer = new Kafka.Producer({ 'metadata.broker.list': brokers, dr_cb: true })
  await call<unknown>((cb) => { producer.connect({}, cb) })
  for (let i = 0; i < 1000; i++) producer.produce(topic, null, Buffer.from(`v${i}`), `k${i}`)
  await call<void>((cb) => producer.flush(10_000, (err) => cb(err, undefined)))
  await call<unknown>((cb) => { producer.disconnect(cb) })

  const consumer = new Kafka.KafkaConsumer(
    { 'metadata.broker.list': brokers, 'group.id': groupId, 'enable.auto.commit': false, 'enable.auto.offset.store': false },
    { 'auto.offset.reset': 'earliest' },
  )
  let consumed = 0
  const commitErrors: unknown[] = []
  await call<unknown>((cb) => { consumer.connect({}, cb) })
  consumer.subscribe([topic])
  consumer.on('data', (message) => {
    consumed++
    try {
      // offset is a JS number here; the committed offset is the next one to read.
      consumer.commitSync({ topic, partition: message.partition, offset: message.offset + 1 })
    } catch (error) {
      commitErrors.push(error)
    }
  })
  consumer.consume()
  await waitFor(() => consumed >= 1000, { what: '1,000 records consumed' })

  // node-rdkafka has no group-offset admin API: read them back with committed() and the
  // end offsets with a watermark query.
  const ends = await Promise.all([0, 1, 2].map((partition) =>
    call<{ highOffset: number }>((cb) => consumer.queryWatermarkOffsets(topic, partition, 10_000, cb))))
  const committed = await call<{ partition: number; offset?: number }[]>((cb) =>
    consumer.committed([0, 1, 2].map((partition) => ({ topic, partition })), 10_000, cb))
  await call<unknown>((cb) => { consumer.disconnect(cb) })

  expect(consumed).toBe(1000)
  expect(commitErrors).toEqual([])
  expect(ends.reduce((sum, e) => sum + e.highOffset, 0)).toBe(1000)
  expect(committed.map((c) => c.offset)).toEqual(ends.map((e) => e.highOffset))
})
