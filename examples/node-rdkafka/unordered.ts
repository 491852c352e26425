// Out-of-order processing: up to `concurrency` records of any partition run at once (I/O-bound
// handlers go many times faster than one at a time per partition). Records finish in any order;
// the committed offset of a partition is the offset after its longest run of finished records
// from the start, so it never passes a record still running. Use it only when records do not
// depend on each other (otherwise `ordering: 'key'` keeps each key in order).
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders node --import tsx examples/node-rdkafka/unordered.ts
import { setTimeout as sleep } from 'node:timers/promises'
import { offsetkitNodeRdkafka } from '@offsetkit/node-rdkafka'

const brokers = process.env.KAFKA_BROKERS ?? 'localhost:9092'
const topic = process.env.TOPIC ?? 'orders'
const groupId = process.env.GROUP_ID ?? 'offsetkit-example-unordered'
const interval = Number(process.env.COMMIT_INTERVAL_MS ?? 1000)

// offsetkit builds the KafkaConsumer from this config: librdkafka takes its rebalance callback
// and offset-store settings only when a consumer is created.
const consumer = offsetkitNodeRdkafka({
  config: { 'metadata.broker.list': brokers, 'group.id': groupId },
  topicConfig: { 'auto.offset.reset': 'earliest' },
}, {
  ordering: 'unordered',
  concurrency: 16,
  commit: { every: 100, interval },
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

console.log(`consuming ${topic} as ${groupId}: 16 records at a time, in any order`)
await consumer.run({
  topics: [topic],
  handler: async (record) => {
    await sleep(Math.random() * 50) // the work: a call that takes a varying time
    const value = new TextDecoder().decode(record.value ?? undefined)
    console.log(`processed ${record.topic}[${record.partition}]@${record.offset}: ${value}`)
  },
})
