// How @offsetkit/conformance gets node-rdkafka consumers. Everything client-specific is here.
import Kafka from 'node-rdkafka'
import type { ConsumerGlobalConfig, Producer } from 'node-rdkafka'
import type { OffsetkitConsumer } from '@offsetkit/commit-core'
import type { ConformanceCapabilities, ConformanceFactory } from '@offsetkit/conformance'
import { offsetkitNodeRdkafka } from '../src/index.js'

const producers: Producer[] = []

async function connectedProducer(bootstrapServers: string): Promise<Producer> {
  // dr_cb: dead letters are acknowledged by their delivery report (librdkafka's default acks is all).
  const producer = new Kafka.Producer({ 'metadata.broker.list': bootstrapServers, dr_cb: true })
  await new Promise<void>((resolve, reject) => {
    producer.connect({}, (error) => (error ? reject(error) : resolve()))
  })
  producers.push(producer)
  return producer
}

const capabilities: ConformanceCapabilities = {
  groupProtocolConsumer: true,
  autoCommit: true,
  transactions: true,
}

export const factory: ConformanceFactory = {
  client: 'node-rdkafka',
  capabilities,
  async createConsumer({ bootstrapServers, groupId, offsetkit, deadLetterTopic, groupProtocol, fastRebalance, transactionalId }): Promise<OffsetkitConsumer> {
    const config: ConsumerGlobalConfig = { 'metadata.broker.list': bootstrapServers, 'group.id': groupId }
    if (groupProtocol === 'consumer') {
      // KIP-848: the broker assigns; librdkafka rejects the classic session/assignor settings.
      config['group.protocol'] = 'consumer'
    } else {
      config['partition.assignment.strategy'] = 'cooperative-sticky'
      if (fastRebalance) Object.assign(config, { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500 })
    }
    const deadLetter = deadLetterTopic === undefined ? undefined : { producer: await connectedProducer(bootstrapServers), topic: deadLetterTopic }
    // Exactly-once: one transactional producer per consumer; KIP-447 fences zombies by group metadata.
    // A short transaction timeout: a frozen member's open transaction (and the offsets it holds
    // back from the next owner) is aborted by the coordinator after 10 s instead of 60 s
    // (librdkafka wants socket.timeout.ms <= transaction.timeout.ms + 100).
    const transaction = transactionalId === undefined ? undefined : { producerConfig: { 'metadata.broker.list': bootstrapServers, 'transactional.id': transactionalId, 'transaction.timeout.ms': 10_000, 'socket.timeout.ms': 10_000 } }
    return offsetkitNodeRdkafka(
      { config, topicConfig: { 'auto.offset.reset': 'earliest' } },
      { ...offsetkit, ...(deadLetter && { deadLetter }), ...(transaction && { transaction }) },
    ) as OffsetkitConsumer
  },
  async cleanup(): Promise<void> {
    await Promise.all(producers.splice(0).map((producer) => new Promise<void>((resolve) => {
      producer.disconnect(() => resolve())
    })))
  },
}
