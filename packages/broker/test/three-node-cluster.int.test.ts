import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroker, uniqueName, waitFor, type Broker } from '../src/index.js'

describe('startBroker({ nodes: 3 })', () => {
  let broker: Broker
  beforeAll(async () => {
    broker = await startBroker({ nodes: 3, mode: 'local', heapMb: 384 })
  }, 180_000)
  afterAll(async () => {
    await broker?.stop()
  })

  it('keeps a replication-factor-3 topic readable and writable after one node stops', async () => {
    expect(broker.nodes).toHaveLength(3)
    const kafka = new Kafka({ brokers: broker.bootstrapServers.split(','), logLevel: logLevel.NOTHING, clientId: 'three-node-test' })
    const admin = kafka.admin()
    const producer = kafka.producer({ allowAutoTopicCreation: false })
    const topic = uniqueName('rf3')
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] })
    await producer.connect()
    const batch = (from: number) => Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: String(from + i) }))
    await producer.send({ topic, acks: -1, messages: batch(0) })

    const victim = broker.nodes[2]!
    await victim.stop()
    expect(victim.running).toBe(false)
    // Leadership moves off the stopped node and the ISR shrinks to the two survivors.
    await waitFor(async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
      return topics[0]!.partitions.every((p) => p.leader !== victim.nodeId && p.isr.length === 2)
    }, { timeoutMs: 60_000, what: 'leaders to move off the stopped node' })

    await producer.send({ topic, acks: -1, messages: batch(30) })
    const offsets = await admin.fetchTopicOffsets(topic)
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(60)

    const consumer = kafka.consumer({ groupId: uniqueName('rf3-group') })
    const seen = new Set<string>()
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) })
    await waitFor(() => seen.size === 60, { timeoutMs: 60_000, what: 'all 60 records consumed from the 2 surviving nodes' })
    await consumer.disconnect()
    await producer.disconnect()
    await admin.disconnect()
  }, 180_000)
})
