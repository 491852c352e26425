// "Auto commit" on @confluentinc/kafka-javascript: commit on a timer. The client's own auto-commit
// cannot be used: its KafkaJS API stores delivered + 1 on every batch, so it would commit past
// records still being processed. `{ interval }` commits, every interval, the offset after the
// last record DONE in each partition.
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders COMMIT_INTERVAL_MS=5000 node --import tsx examples/confluent/auto-commit.ts
import { KafkaJS } from '@confluentinc/kafka-javascript'
import { offsetkitConfluent } from '@offsetkit/confluent'

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')
const topic = process.env.TOPIC ?? 'orders'
const groupId = process.env.GROUP_ID ?? 'offsetkit-example-auto-commit'
const interval = Number(process.env.COMMIT_INTERVAL_MS ?? 5000)

const kafka = new KafkaJS.Kafka({ kafkaJS: { clientId: 'offsetkit-example', brokers, logLevel: KafkaJS.logLevel.WARN } })
// offsetkit builds the consumer from this config: the client reads its rebalance callback and
// auto-commit setting only when a consumer is constructed.
const consumer = offsetkitConfluent(kafka, { kafkaJS: { groupId, fromBeginning: true } }, {
  commit: { interval },
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

console.log(`consuming ${topic} as ${groupId}: commit every ${interval} ms`)
await consumer.run({
  topics: [topic],
  handler: async (record) => {
    const value = new TextDecoder().decode(record.value ?? undefined)
    console.log(`processed ${record.topic}[${record.partition}]@${record.offset}: ${value}`)
  },
})
