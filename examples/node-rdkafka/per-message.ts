// Synchronous commit per message: after each record, commit and wait for the broker's answer
// before the partition's next record. The safest and the slowest pattern (one commit round trip
// per record). The offset committed is the NEXT one to read (record offset + 1).
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders node --import tsx examples/node-rdkafka/per-message.ts
import { offsetkitNodeRdkafka } from '@offsetkit/node-rdkafka'

const brokers = process.env.KAFKA_BROKERS ?? 'localhost:9092'
const topic = process.env.TOPIC ?? 'orders'
const groupId = process.env.GROUP_ID ?? 'offsetkit-example-per-message'

// offsetkit builds the KafkaConsumer from this config: librdkafka takes its rebalance callback
// and offset-store settings only when a consumer is created.
const consumer = offsetkitNodeRdkafka({
  config: { 'metadata.broker.list': brokers, 'group.id': groupId },
  topicConfig: { 'auto.offset.reset': 'earliest' },
}, {
  commit: 'per-message',
})
consumer.on('commit.succeeded', ({ request }) => {
  console.log(`committed ${request.offsets.map((o) => `${o.topic}[${o.partition}]=${o.offset}`).join(' ')}`)
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

console.log(`consuming ${topic} as ${groupId}: commit after every record, waiting for the broker`)
await consumer.run({
  topics: [topic],
  handler: async (record) => {
    const value = new TextDecoder().decode(record.value ?? undefined)
    console.log(`processed ${record.topic}[${record.partition}]@${record.offset}: ${value}`)
  },
})
