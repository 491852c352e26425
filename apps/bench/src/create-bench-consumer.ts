// The one place that knows how each client is configured for offsetkit (same settings as the
// adapters' conformance factories): fresh client per run, earliest offset for a new group.
import { KafkaJS } from '@confluentinc/kafka-javascript'
import type { OffsetkitConsumer, OffsetkitOptions } from '@offsetkit/commit-core'
import { offsetkitConfluent } from '@offsetkit/confluent'
import { offsetkitKafkajs } from '@offsetkit/kafkajs'
import { offsetkitNodeRdkafka } from '@offsetkit/node-rdkafka'
import { Kafka, logLevel } from 'kafkajs'
import type { ClientName } from './parse-args.js'

export interface ConsumerTarget {
  readonly brokers: string
  readonly groupId: string
}

export function createBenchConsumer(client: ClientName, { brokers, groupId }: ConsumerTarget, options: OffsetkitOptions): OffsetkitConsumer {
  switch (client) {
    case 'kafkajs': {
      const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'offsetkit-bench', logLevel: logLevel.NOTHING })
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 })
      return offsetkitKafkajs(consumer, { ...(options as OffsetkitOptions<never>), fromBeginning: true }) as OffsetkitConsumer
    }
    case 'confluent': {
      const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: brokers.split(','), logLevel: KafkaJS.logLevel.NOTHING } })
      return offsetkitConfluent(kafka, { kafkaJS: { groupId, fromBeginning: true } }, options as OffsetkitOptions<never>) as OffsetkitConsumer
    }
    case 'node-rdkafka':
      return offsetkitNodeRdkafka(
        { config: { 'metadata.broker.list': brokers, 'group.id': groupId }, topicConfig: { 'auto.offset.reset': 'earliest' } },
        options as OffsetkitOptions<never>,
      ) as OffsetkitConsumer
  }
}
