import type { EngineRecord } from './client-port.js'

/** One Kafka record header. A record may carry several headers with the same key. */
export interface RecordHeader {
  /** Header name. */
  readonly key: string
  /** Header value as raw bytes; `null` when the header has no value. */
  readonly value: Uint8Array | null
}

/**
 * The client-neutral record every adapter hands to user handlers. Kafka headers are an ordered
 * list that may repeat keys, so they stay a list. `native` is the client's own message.
 */
export interface ConsumedRecord<N = unknown> extends EngineRecord<N> {
  /** Record key as raw bytes; `null` when the record has no key. Used by `ordering: 'key'`. */
  readonly key: Uint8Array | null
  /** Record value as raw bytes; `null` for a tombstone. */
  readonly value: Uint8Array | null
  /** Headers in the order they were produced; keys may repeat. */
  readonly headers: readonly RecordHeader[]
  /** Milliseconds since the epoch (the record's CreateTime or LogAppendTime). */
  readonly timestamp: number
}
