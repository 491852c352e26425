import type { ConsumedRecord, RecordHeader } from './consumed-record.js'
import { ConfigError } from './config-error.js'
import type { ProcessingError } from './processing-error.js'

/** Where dead letters go: a topic name, or a function of the source topic. Default `<topic>.dlq`. */
export type DeadLetterTopicOption = string | ((sourceTopic: string) => string)

export interface DeadLetterMessage {
  readonly topic: string
  readonly key: Uint8Array | null
  readonly value: Uint8Array | null
  readonly headers: readonly RecordHeader[]
}

/** Header names offsetkit adds to a dead-lettered record, the same on every client. */
export const DEAD_LETTER_HEADERS = {
  topic: 'offsetkit.dlq.topic',
  partition: 'offsetkit.dlq.partition',
  offset: 'offsetkit.dlq.offset',
  attempts: 'offsetkit.dlq.attempts',
  error: 'offsetkit.dlq.error',
  errorName: 'offsetkit.dlq.error.name',
} as const

const utf8 = new TextEncoder()
const MAX_ERROR_BYTES = 4096

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
