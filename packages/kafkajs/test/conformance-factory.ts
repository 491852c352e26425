import type { ConformanceFactory } from '@offsetkit/conformance'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { offsetkitKafkajs } from '../src/index.js'

const producers: Producer[] = []

export const factory: ConformanceFactory = {
  client: 'kafkajs',
  capabilities: {
    groupProtocolConsumer: 'kafkajs implements only the classic group protocol (JoinGroup/SyncGroup)',
    autoCommit: 'kafkajs resolves offsets only inside the current eachBatch call, so its auto-commit cannot follow an out-of-order watermark',
    transactions: true,
    interleavedAborts: "KNOWN CLIENT DEFECT in kafkajs 2.2.4: its read_committed filter walks the broker's aborted-transaction list (abort-marker order) as if it were in first-offset order, so an aborted transaction that started before another producer's aborted one is delivered (test/kafkajs-read-committed-defect.int.test.ts shows it; README: Known kafkajs defect)",
  },
  async createConsumer({ bootstrapServers, groupId, offsetkit, deadLetterTopic, fastRebalance, transactionalId }) {
    const kafka = new Kafka({ brokers: bootstrapServers.split(','), clientId: 'offsetkit-conformance', logLevel: logLevel.NOTHING })
    const consumer = kafka.consumer({
      groupId,
      maxWaitTimeInMs: 250,
      ...(fastRebalance && { sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10_000 }),
    })
    let deadLetter
    if (deadLetterTopic !== undefined) {
      const producer = kafka.producer()
      producers.push(producer)
      deadLetter = { producer, topic: deadLetterTopic }
    }
    // Options are checked here, before anything connects.
    // Exactly-once: kafkajs sends no group metadata with its offsets, so zombies are fenced by one
    // transactional id per input partition, derived from a prefix every member shares: the group.
    const transaction = transactionalId === undefined ? undefined : { kafka, id: `eos-${groupId}`, producer: { transactionTimeout: 10_000 } }
    const wrapped = offsetkitKafkajs(consumer, { ...offsetkit, kafka, fromBeginning: true, ...(deadLetter && { deadLetter }), ...(transaction && { transaction }) })
    await deadLetter?.producer.connect()
    return wrapped
  },
  async cleanup() {
    await Promise.allSettled(producers.splice(0).map((p) => p.disconnect()))
  },
}
