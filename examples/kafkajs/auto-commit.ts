// "Auto commit" on kafkajs: commit on a timer. kafkajs' own autoCommit cannot be used (it resolves
// offsets only inside the current eachBatch, so it cannot follow records still being processed);
// `{ interval }` commits, every interval, the offset after the last record DONE in each partition.
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders COMMIT_INTERVAL_MS=5000 node --import tsx examples/kafkajs/auto-commit.ts
import { Kafka, logLevel } from 'kafkajs'
import { offsetkitKafkajs } from '@offsetkit/kafkajs'

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')
const topic = process.env.TOPIC ?? 'orders'
const groupId = process.env.GROUP_ID ?? 'offsetkit-example-auto-commit'
const interval = Number(process.env.COMMIT_INTERVAL_MS ?? 5000)

const kafka = new Kafka({ clientId: 'offsetkit-example', brokers, logLevel: logLevel.WARN })
// maxWaitTimeInMs bounds how long close() waits for kafkajs' fetch loop (kafkajs' default: 5000).
const consumer = offsetkitKafkajs(kafka.consumer({ groupId, maxWaitTimeInMs: 500 }), {
  fromBeginning: true,
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
