/** The Node clients the bench measures, and the one Java anchor it measures them against. */
export const CLIENTS = ['kafkajs', 'confluent', 'node-rdkafka'] as const
export type ClientName = (typeof CLIENTS)[number]

/** Apache Kafka's own ConsumerPerformance tool: one anchor run per run number, not per client. */
export const JAVA = 'java'
/** Who ran a measured run: a Node client, or the Java anchor. */
export type BenchClient = ClientName | typeof JAVA

/** Why `commit: 'auto'` has no offsetkit cell on these clients (their adapters reject it too). */
export const AUTO_UNSUPPORTED: Partial<Record<ClientName, string>> = {
  kafkajs: 'kafkajs has no offset store offsetkit could hold at the watermark',
  confluent: 'the KafkaJS API stores delivered offsets itself',
}
