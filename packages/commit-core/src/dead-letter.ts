import type { ConsumedRecord, RecordHeader } from './consumed-record.js'
import { ConfigError } from './config-error.js'
import type { ProcessingError } from './processing-error.js'

/** Where dead letters go: a topic name, or a function of the source topic. Default `<topic>.dlq`. */
export type DeadLetterTopicOption = string | ((sourceTopic: string) => string)

/** A dead letter, ready for an adapter to produce. */
export interface DeadLetterMessage {
  /** The dead-letter topic. */
  readonly topic: string
  /** The failed record's key, unchanged. */
  readonly key: Uint8Array | null
  /** The failed record's value, unchanged. */
  readonly value: Uint8Array | null
  /** The failed record's headers, then the {@link DEAD_LETTER_HEADERS}. */
  readonly headers: readonly RecordHeader[]
}

/** Header names offsetkit adds to a dead-lettered record, the same on every client. */
export const DEAD_LETTER_HEADERS = {
  /** The source topic. */
  topic: 'offsetkit.dlq.topic',
  /** The source partition, in decimal. */
  partition: 'offsetkit.dlq.partition',
  /** The record's own offset in the source partition, in decimal. */
  offset: 'offsetkit.dlq.offset',
  /** Handler calls made for the record, in decimal. */
  attempts: 'offsetkit.dlq.attempts',
  /** The handler error's message (its first 4096 characters). */
  error: 'offsetkit.dlq.error',
  /** The handler error's `name` (or its `typeof` when it is not an Error). */
  errorName: 'offsetkit.dlq.error.name',
} as const

const utf8 = new TextEncoder()
const MAX_ERROR_BYTES = 4096

/**
 * Checks a `deadLetter.topic` option (for adapters).
 *
 * @param option - The value given.
 * @param path - The option's path in error messages.
 * @returns The option, or undefined when it was not given (then `<topic>.dlq` is used).
 * @throws {@link ConfigError} (`INVALID_OPTION`) unless it is a non-empty string or a function.
 */
export function checkDeadLetterTopic(option: unknown, path: string): DeadLetterTopicOption | undefined {
  if (option === undefined) return undefined
  if (typeof option === 'function' || (typeof option === 'string' && option !== '')) return option as DeadLetterTopicOption
  throw new ConfigError(path, option, 'a topic name (non-empty string) or a function (sourceTopic) => topic name')
}

/** The record as it goes to the dead-letter topic: key, value and headers kept, error headers added. */
export function deadLetterMessage(
  record: ConsumedRecord,
  error: ProcessingError,
  attempts: number,
  topic: DeadLetterTopicOption | undefined,
): DeadLetterMessage {
  const cause = error.cause
  const message = cause instanceof Error ? cause.message : String(cause)
  const header = (key: string, value: string): RecordHeader => ({ key, value: utf8.encode(value) })
  return {
    topic: topic === undefined ? `${record.topic}.dlq` : typeof topic === 'string' ? topic : topic(record.topic),
    key: record.key,
    value: record.value,
    headers: [
      ...record.headers,
      header(DEAD_LETTER_HEADERS.topic, record.topic),
      header(DEAD_LETTER_HEADERS.partition, String(record.partition)),
      header(DEAD_LETTER_HEADERS.offset, record.offset.toString()),
      header(DEAD_LETTER_HEADERS.attempts, String(attempts)),
      header(DEAD_LETTER_HEADERS.error, message.slice(0, MAX_ERROR_BYTES)),
      header(DEAD_LETTER_HEADERS.errorName, cause instanceof Error ? cause.name : typeof cause),
    ],
  }
}
