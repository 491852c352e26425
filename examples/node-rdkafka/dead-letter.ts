// Failure handling with a dead-letter topic: a record whose handler throws is retried; when the
// retries are spent it is sent to the dead-letter topic (key, value and headers kept, plus
// headers describing the error) and counts as done once that topic acknowledged it. Until then
// its partition's committed offset stays before it: a failure is never committed past silently.
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders DLQ_TOPIC=orders.dlq node --import tsx examples/node-rdkafka/dead-letter.ts
import Kafka from 'node-rdkafka'
import { offsetkitNodeRdkafka } from '@offsetkit/node-rdkafka'

const brokers = process.env.KAFKA_BROKERS ?? 'localhost:9092'
const topic = process.env.TOPIC ?? 'orders'
const groupId = process.env.GROUP_ID ?? 'offsetkit-example-dead-letter'
const dlqTopic = process.env.DLQ_TOPIC ?? `${topic}.dlq`

// dr_cb: a dead letter counts as done only once its delivery report arrived.
const producer = new Kafka.Producer({ 'metadata.broker.list': brokers, dr_cb: true })
await new Promise<void>((resolve, reject) => producer.connect({}, (error) => (error ? reject(error) : resolve())))
// offsetkit builds the KafkaConsumer from this config: librdkafka takes its rebalance callback
// and offset-store settings only when a consumer is created.
const consumer = offsetkitNodeRdkafka({
  config: { 'metadata.broker.list': brokers, 'group.id': groupId },
  topicConfig: { 'auto.offset.reset': 'earliest' },
}, {
  commit: { every: 100, interval: 1000 },
  // 2 retries with exponential backoff (100 ms, 200 ms), then the dead-letter topic.
  failure: { retries: 2, then: 'dead-letter' },
  deadLetter: { producer, topic: dlqTopic },
})
consumer.on('record.failed', ({ record, attempt, action }) => {
  console.log(`failed ${record.topic}[${record.partition}]@${record.offset} (attempt ${attempt}): ${action}`)
})
consumer.on('record.dead-lettered', ({ record, error }) => {
  console.log(`dead-lettered ${record.topic}[${record.partition}]@${record.offset} to ${dlqTopic}: ${String(error.cause)}`)
})
consumer.on('commit.succeeded', ({ request }) => {
  console.log(`committed ${request.offsets.map((o) => `${o.topic}[${o.partition}]=${o.offset}`).join(' ')}`)
})

// Ctrl-C or SIGTERM: close the consumer first (it may still dead-letter), then the producer.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`${signal}: closing`)
    consumer.close().then(() => new Promise((resolve) => producer.disconnect(resolve))).then(() => process.exit(0), (error: unknown) => {
      console.error(error)
      process.exit(1)
    })
  })
}

console.log(`consuming ${topic} as ${groupId}: records that keep failing go to ${dlqTopic}`)
await consumer.run({
  topics: [topic],
  handler: async (record) => {
    const value = new TextDecoder().decode(record.value ?? undefined)
    const order: unknown = JSON.parse(value) // throws on a malformed record
    console.log(`processed ${record.topic}[${record.partition}]@${record.offset}: ${JSON.stringify(order)}`)
  },
})
