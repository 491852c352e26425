// How the cross-client conformance suite gets a confluent offsetkit consumer.
import { KafkaJS } from '@confluentinc/kafka-javascript'
import type { OffsetkitConsumer } from '@offsetkit/commit-core'
import type { ConformanceCapabilities, ConformanceFactory, CreateConsumerOptions } from '@offsetkit/conformance'
import { offsetkitConfluent } from '../src/index.js'

const producers: KafkaJS.Producer[] = []

const capabilities: ConformanceCapabilities = {
  groupProtocolConsumer: true,
  autoCommit:
    "the KafkaJS API stores delivered+1 in librdkafka's offset store on every batch (otherwise it seeks back and redelivers), so the client's auto-commit could pass unfinished records",
  trailingMarker:
    "the fetch position is only safe to read right after a batch (the KafkaJS layer may hold undelivered records in its cache), and a marker fetched after the last records brings no batch, so the committed offset can stay one marker short of the end",
  transactions: true,
}

export const factory: ConformanceFactory = {
  client: 'confluent',
  capabilities,
  async createConsumer(options: CreateConsumerOptions): Promise<OffsetkitConsumer> {
    const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: options.bootstrapServers.split(','), logLevel: KafkaJS.logLevel.NOTHING } })
    const classic = options.groupProtocol !== 'consumer'
    const kafkaJS: KafkaJS.ConsumerConfig = {
      groupId: options.groupId,
      fromBeginning: true,
      // KIP-848 moves assignors and session timeouts to the broker; the client rejects them there.
      ...(classic && options.fastRebalance ? { sessionTimeout: 6000, heartbeatInterval: 500 } : {}),
    }
    let deadLetter: { producer: KafkaJS.Producer; topic: string } | undefined
    if (options.deadLetterTopic !== undefined) {
      const producer = kafka.producer({ kafkaJS: { acks: -1 } })
      await producer.connect()
      producers.push(producer)
      deadLetter = { producer, topic: options.deadLetterTopic }
    }
    const consumer = offsetkitConfluent(
      kafka,
      { kafkaJS, ...(classic ? {} : { 'group.protocol': 'consumer' }) },
      {
        ...options.offsetkit,
        ...(deadLetter === undefined ? {} : { deadLetter }),
        // Exactly-once: one transactional producer per consumer; KIP-447 fences zombies by group metadata.
        ...(options.transactionalId === undefined ? {} : { transaction: { id: options.transactionalId, producerConfig: { 'transaction.timeout.ms': 10_000, 'socket.timeout.ms': 10_000 } } }),
      } as Parameters<typeof offsetkitConfluent>[2],
    )
    return consumer as OffsetkitConsumer
  },
  async cleanup(): Promise<void> {
    await Promise.all(producers.splice(0).map((p) => p.disconnect().catch(() => undefined)))
  },
}
