import { startBroker } from '@offsetkit/broker'
import type { BrokerInfo } from './run-result.js'

/** `--brokers` as given, or ONE broker started for the whole command (1 GiB heap) and stopped after. */
export async function withBroker<T>(brokers: string | undefined, log: (line: string) => void, body: (broker: BrokerInfo) => Promise<T>): Promise<T> {
  if (brokers !== undefined) {
    const linger = process.env.KAFKA_APPEND_LINGER_MS
    return body({ bootstrapServers: brokers, source: 'external (--brokers)', version: process.env.KAFKA_VERSION ?? null, appendLingerMs: linger === undefined ? null : Number(linger) })
  }
  const started = Date.now()
  const broker = await startBroker({ heapMb: 1024 })
  log(`Kafka ${broker.version ?? '?'} (${broker.source}) at ${broker.bootstrapServers}, ready in ${Date.now() - started} ms`)
  try {
    return await body({ bootstrapServers: broker.bootstrapServers, source: broker.source, version: broker.version ?? null, appendLingerMs: broker.appendLingerMs ?? null })
  } finally {
    await broker.stop()
  }
}
