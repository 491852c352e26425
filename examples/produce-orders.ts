// Gives the examples something to consume: creates TOPIC if it does not exist and writes COUNT
// JSON orders to it, every POISON_EVERY-th one malformed (for dead-letter.ts; 0 = none).
//   KAFKA_BROKERS=localhost:9092 TOPIC=orders COUNT=100 POISON_EVERY=10 node --import tsx examples/produce-orders.ts
import { Kafka, logLevel } from 'kafkajs'

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')
const topic = process.env.TOPIC ?? 'orders'
const partitions = Number(process.env.PARTITIONS ?? 3)
const count = Number(process.env.COUNT ?? 100)
const poisonEvery = Number(process.env.POISON_EVERY ?? 0)

const kafka = new Kafka({ clientId: 'offsetkit-example-producer', brokers, logLevel: logLevel.WARN })
const admin = kafka.admin()
await admin.connect()
// false when it exists already: then its partitions stay as they are.
const created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true })
await admin.disconnect()

const producer = kafka.producer()
await producer.connect()
const messages = Array.from({ length: count }, (_, i) => ({
  key: `customer-${i % 7}`,
  value: poisonEvery > 0 && i % poisonEvery === poisonEvery - 1 ? `not json ${i}` : JSON.stringify({ order: i }),
}))
await producer.send({ topic, acks: -1, messages })
await producer.disconnect()
console.log(`${created ? 'created' : 'wrote to'} ${topic}: ${count} records${poisonEvery > 0 ? `, every ${poisonEvery}th malformed` : ''}`)
