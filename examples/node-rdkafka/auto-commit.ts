// Auto commit: librdkafka's own auto-commit commits every `auto.commit.interval.ms`. offsetkit
// turns off the automatic offset store (which would count a record as done when it is merely
// delivered) and stores, itself, the offset after the last record DONE in each partition: the
// client commits only that, never past a record still being processed.
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders COMMIT_INTERVAL_MS=5000 node --import tsx examples/node-rdkafka/auto-commit.ts
import { offsetkitNodeRdkafka } from '@offsetkit/node-rdkafka'

const brokers = process.env.KAFKA_BROKERS ?? 'localhost:9092'
const topic = process.env.TOPIC ?? 'orders'
const groupId = process.env.GROUP_ID ?? 'offsetkit-example-auto-commit'
const interval = Number(process.env.COMMIT_INTERVAL_MS ?? 5000)

// offsetkit builds the KafkaConsumer from this config: librdkafka takes its rebalance callback
// and offset-store settings only when a consumer is created.
const consumer = offsetkitNodeRdkafka({
  config: { 'metadata.broker.list': brokers, 'group.id': groupId, 'auto.commit.interval.ms': interval },
  topicConfig: { 'auto.offset.reset': 'earliest' },
}, {
  commit: 'auto',
})

// Ctrl-C or SIGTERM: stop fetching, let running handlers finish, commit them, leave the group.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`${signal}: closing`)
    consumer.close().then(() => process.exit(0), (error: unknown) => {
      console.error(error)
      process.exit(1)
    })
  })
}

console.log(`consuming ${topic} as ${groupId}: librdkafka auto-commits every ${interval} ms`)
await consumer.run({
  topics: [topic],
  handler: async (record) => {
    const value = new TextDecoder().decode(record.value ?? undefined)
    console.log(`processed ${record.topic}[${record.partition}]@${record.offset}: ${value}`)
  },
})
