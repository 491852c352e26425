// Commit on shutdown: nothing is committed while the program runs; close() on SIGINT/SIGTERM
// stops fetching, waits for the records being processed, commits everything done and leaves the
// group (a rebalance commits the same way before giving a partition up). A crash (SIGKILL, OOM)
// commits nothing, so the next run redoes everything since the last start: in production, add
// a `commit` policy such as { every: 1000, interval: 5000 }; close() still commits the rest.
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders node --import tsx examples/node-rdkafka/commit-on-shutdown.ts
import { setTimeout as sleep } from 'node:timers/promises'
import { offsetkitNodeRdkafka } from '@offsetkit/node-rdkafka'

const brokers = process.env.KAFKA_BROKERS ?? 'localhost:9092'
const topic = process.env.TOPIC ?? 'orders'
const groupId = process.env.GROUP_ID ?? 'offsetkit-example-commit-on-shutdown'
const workMs = Number(process.env.WORK_MS ?? 100)

// offsetkit builds the KafkaConsumer from this config: librdkafka takes its rebalance callback
// and offset-store settings only when a consumer is created.
const consumer = offsetkitNodeRdkafka({
  config: { 'metadata.broker.list': brokers, 'group.id': groupId },
  topicConfig: { 'auto.offset.reset': 'earliest' },
}, {
  commit: 'manual',
})
consumer.on('commit.succeeded', ({ request }) => {
  console.log(`committed (${request.reason}) ${request.offsets.map((o) => `${o.topic}[${o.partition}]=${o.offset}`).join(' ')}`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`${signal}: closing`)
    consumer.close().then(() => {
      console.log('closed: every processed record is committed')
      process.exit(0)
    }, (error: unknown) => {
      console.error(error)
      process.exit(1)
    })
  })
}

console.log(`consuming ${topic} as ${groupId}: committing only on shutdown (Ctrl-C)`)
await consumer.run({
  topics: [topic],
  handler: async (record) => {
    await sleep(workMs) // the work; close() waits for it
    const value = new TextDecoder().decode(record.value ?? undefined)
    console.log(`processed ${record.topic}[${record.partition}]@${record.offset}: ${value}`)
  },
})
