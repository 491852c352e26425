// Failure handling with a dead-letter topic: a record whose handler throws is retried; when the
// retries are spent it is sent to the dead-letter topic (key, value and headers kept, plus
// headers describing the error) and counts as done once that topic acknowledged it. Until then
// its partition's committed offset stays before it: a failure is never committed past silently.
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders DLQ_TOPIC=orders.dlq node --import tsx examples/kafkajs/dead-letter.ts
import { Kafka, logLevel } from 'kafkajs'
import { offsetkitKafkajs } from '@offsetkit/kafkajs'

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')
const topic = process.env.TOPIC ?? 'orders'
const groupId = process.env.GROUP_ID ?? 'offsetkit-example-dead-letter'
const dlqTopic = process.env.DLQ_TOPIC ?? `${topic}.dlq`

const kafka = new Kafka({ clientId: 'offsetkit-example', brokers, logLevel: logLevel.WARN })
const producer = kafka.producer()
// maxWaitTimeInMs bounds how long close() waits for kafkajs' fetch loop (kafkajs' default: 5000).
const consumer = offsetkitKafkajs(kafka.consumer({ groupId, maxWaitTimeInMs: 500 }), {
  fromBeginning: true,
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
    consumer.close().then(() => producer.disconnect()).then(() => process.exit(0), (error: unknown) => {
      console.error(error)
      process.exit(1)
    })
  })
}

await producer.connect() // the dead-letter producer must be connected
console.log(`consuming ${topic} as ${groupId}: records that keep failing go to ${dlqTopic}`)
await consumer.run({
  topics: [topic],
  handler: async (record) => {
    const value = new TextDecoder().decode(record.value ?? undefined)
    const order: unknown = JSON.parse(value) // throws on a malformed record
    console.log(`processed ${record.topic}[${record.partition}]@${record.offset}: ${JSON.stringify(order)}`)
  },
})
