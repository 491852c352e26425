import type { EngineRecord } from './client-port.js'

export interface RecordHeader {
  readonly key: string
  readonly value: Uint8Array | null
}

/**
 * The client-neutral record every adapter hands to user handlers. Kafka headers are an ordered
 * list that may repeat keys, so they stay a list. `native` is the client's own message.
 */
export interface ConsumedRecord<N = unknown> extends EngineRecord<N> {
  readonly key: Uint8Array | null
  readonly value: Uint8Array | null
  readonly headers: readonly RecordHeader[]
  /** Milliseconds since the epoch (the record's CreateTime or LogAppendTime). */
  readonly timestamp: number
}
