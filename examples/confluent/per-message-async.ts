// Asynchronous commit per message: ask for a commit after each record without waiting for it.
// One commit is in flight at a time; records finished meanwhile coalesce into the next one, so
// a commit never overtakes a newer one and the committed offset never goes back.
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders node --import tsx examples/confluent/per-message-async.ts
import { KafkaJS } from '@confluentinc/kafka-javascript'
import { offsetkitConfluent } from '@offsetkit/confluent'

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')
const topic = process.env.TOPIC ?? 'orders'
const groupId = process.env.GROUP_ID ?? 'offsetkit-example-per-message-async'

const kafka = new KafkaJS.Kafka({ kafkaJS: { clientId: 'offsetkit-example', brokers, logLevel: KafkaJS.logLevel.WARN } })
// offsetkit builds the consumer from this config: the client reads its rebalance callback and
// auto-commit setting only when a consumer is constructed.
const consumer = offsetkitConfluent(kafka, { kafkaJS: { groupId, fromBeginning: true } }, {
  commit: 'per-message-async',
})
consumer.on('commit.succeeded', ({ request }) => {
  console.log(`committed ${request.offsets.map((o) => `${o.topic}[${o.partition}]=${o.offset}`).join(' ')}`)
})
consumer.on('commit.failed', ({ error, willRetry }) => console.error(`commit failed (${error.code}), retrying: ${willRetry}`))

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

console.log(`consuming ${topic} as ${groupId}: commit after every record, without waiting`)
await consumer.run({
  topics: [topic],
  handler: async (record) => {
    const value = new TextDecoder().decode(record.value ?? undefined)
    console.log(`processed ${record.topic}[${record.partition}]@${record.offset}: ${value}`)
  },
})
