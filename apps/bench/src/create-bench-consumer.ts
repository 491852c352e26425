// The one place that knows how each client is configured for offsetkit (same settings as the
// adapters' conformance factories): fresh client per run, earliest offset for a new group.
// Each client is imported only when asked for, so a run's process holds one client library and
// its peak RSS is that client's.
import type { OffsetkitConsumer, OffsetkitOptions } from '@offsetkit/commit-core'
import type { ClientName } from './bench-clients.js'

export interface ConsumerTarget {
  readonly brokers: string
  readonly groupId: string
}

/**
 * `mode: 'transactional'` needs each adapter's `transaction` option: kafkajs takes the Kafka
 * instance and an id prefix (one transactional producer per input partition), confluent and
 * node-rdkafka one transactional id for the consumer's one producer.
 */
export interface BenchTransaction {
  /** Unique to the run: no other live producer shares it. */
  readonly id: string
}

/** librdkafka properties merged into the confluent and node-rdkafka consumers of the offsetkit arms (experiments). */
function rdkafkaExtra(): Record<string, string | number | boolean> {
  return JSON.parse(process.env['OFFSETKIT_BENCH_RDKAFKA_CONFIG'] ?? '{}') as Record<string, string | number | boolean>
}

export async function createBenchConsumer(
  client: ClientName,
  { brokers, groupId }: ConsumerTarget,
  options: OffsetkitOptions,
  transaction?: BenchTransaction,
): Promise<OffsetkitConsumer> {
  switch (client) {
    case 'kafkajs': {
      const [{ Kafka, logLevel }, { offsetkitKafkajs }] = await Promise.all([import('kafkajs'), import('@offsetkit/kafkajs')])
      const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'offsetkit-bench', logLevel: logLevel.NOTHING })
      // Experiments with kafkajs' fetch sizes (event-loop delay): OFFSETKIT_BENCH_KAFKAJS_CONSUMER='{"maxBytesPerPartition":262144}'.
      const extra = JSON.parse(process.env['OFFSETKIT_BENCH_KAFKAJS_CONSUMER'] ?? '{}') as Record<string, unknown>
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, ...extra })
      return offsetkitKafkajs(consumer, {
        ...(options as OffsetkitOptions<never>),
        fromBeginning: true,
        ...(transaction === undefined ? {} : { transaction: { kafka, id: transaction.id } }),
      }) as OffsetkitConsumer
    }
    case 'confluent': {
      const [{ KafkaJS }, { offsetkitConfluent }] = await Promise.all([import('@confluentinc/kafka-javascript'), import('@offsetkit/confluent')])
      const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: brokers.split(','), logLevel: KafkaJS.logLevel.NOTHING } })
      // Experiments with librdkafka settings: OFFSETKIT_BENCH_RDKAFKA_CONFIG='{"queued.max.messages.kbytes":16384}'.
      return offsetkitConfluent(kafka, { kafkaJS: { groupId, fromBeginning: true }, ...rdkafkaExtra() }, {
        ...(options as OffsetkitOptions<never>),
        ...(transaction === undefined ? {} : { transaction: { id: transaction.id } }),
      }) as OffsetkitConsumer
    }
    case 'node-rdkafka': {
      const { offsetkitNodeRdkafka } = await import('@offsetkit/node-rdkafka')
      return offsetkitNodeRdkafka(
        { config: { 'metadata.broker.list': brokers, 'group.id': groupId, ...rdkafkaExtra() }, topicConfig: { 'auto.offset.reset': 'earliest' } },
        {
          ...(options as OffsetkitOptions<never>),
          ...(transaction === undefined ? {} : { transaction: { producerConfig: { 'metadata.broker.list': brokers, 'transactional.id': transaction.id } } }),
        },
      ) as OffsetkitConsumer
    }
  }
}
