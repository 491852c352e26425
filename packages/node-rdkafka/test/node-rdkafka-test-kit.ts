// Shared by this package's integration tests: a harness reading offsets back from the broker,
// and a factory for offsetkit consumers with unique groups and cleanup registered on creation.
import type { ConsumerGlobalConfig } from 'node-rdkafka'
import { inject, onTestFinished } from 'vitest'
import { uniqueName } from '@offsetkit/broker'
import type { OffsetkitConsumer } from '@offsetkit/commit-core'
import type { Message } from 'node-rdkafka'
import { KafkaHarness } from '../../conformance/src/kafka-harness.js'
import { offsetkitNodeRdkafka, type NodeRdkafkaOffsetkitOptions } from '../src/index.js'

export function harness(): KafkaHarness {
  const h = new KafkaHarness(inject('kafka').bootstrapServers)
  onTestFinished(() => h.close())
  return h
}

export function consumerConfig(groupId: string, extra: ConsumerGlobalConfig = {}): ConsumerGlobalConfig {
  return {
    'metadata.broker.list': inject('kafka').bootstrapServers,
    'group.id': groupId,
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 500,
    ...extra,
  }
}

export function newConsumer(groupId: string, options: NodeRdkafkaOffsetkitOptions = {}, extra: ConsumerGlobalConfig = {}): OffsetkitConsumer<Message> {
  const consumer = offsetkitNodeRdkafka({ config: consumerConfig(groupId, extra), topicConfig: { 'auto.offset.reset': 'earliest' } }, options)
  onTestFinished(() => consumer.close())
  return consumer
}

export const group = (): string => uniqueName('rdkafka-group')

/** Offsets map → plain object for readable equality failures. */
export function byPartition(offsets: Map<number, bigint | undefined>): Record<number, string | undefined> {
  return Object.fromEntries([...offsets].sort(([a], [b]) => a - b).map(([p, o]) => [p, o?.toString()]))
}
