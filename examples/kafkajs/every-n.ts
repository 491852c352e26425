// Commit every N records: one commit per N finished records (all partitions together), so a
// crash replays at most about N records.
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders COMMIT_EVERY=100 node --import tsx examples/kafkajs/every-n.ts
import { Kafka, logLevel } from 'kafkajs'
import { offsetkitKafkajs } from '@offsetkit/kafkajs'

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')
const topic = process.env.TOPIC ?? 'orders'
const groupId = process.env.GROUP_ID ?? 'offsetkit-example-every-n'
const every = Number(process.env.COMMIT_EVERY ?? 100)

const kafka = new Kafka({ clientId: 'offsetkit-example', brokers, logLevel: logLevel.WARN })
// maxWaitTimeInMs bounds how long close() waits for kafkajs' fetch loop (kafkajs' default: 5000).
const consumer = offsetkitKafkajs(kafka.consumer({ groupId, maxWaitTimeInMs: 500 }), {
  fromBeginning: true,
  // Counts records that are done (handler resolved), not records fetched.
  commit: { every },
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

console.log(`consuming ${topic} as ${groupId}: commit every ${every} records`)
await consumer.run({
  topics: [topic],
  handler: async (record) => {
    const value = new TextDecoder().decode(record.value ?? undefined)
    console.log(`processed ${record.topic}[${record.partition}]@${record.offset}: ${value}`)
  },
})
