import { describe, expect, it } from 'vitest'
import { checkDeadLetterTopic, ConfigError, DEAD_LETTER_HEADERS, deadLetterMessage, offsetFromBigInt, ProcessingError, type ConsumedRecord } from '../src/index.js'

const utf8 = new TextDecoder()
const record: ConsumedRecord = {
  topic: 'orders', partition: 2, offset: offsetFromBigInt(41n), key: new Uint8Array([1]), value: new Uint8Array([2]),
  headers: [{ key: 'trace', value: new Uint8Array([3]) }], timestamp: 0, native: undefined,
}

describe('deadLetterMessage', () => {
  it('keeps key, value and headers, and adds where it came from and why it failed', () => {
    const error = new ProcessingError('HANDLER_FAILED', record, 4, new TypeError('boom'))
    const message = deadLetterMessage(record, error, 4, undefined)
    expect(message.topic).toBe('orders.dlq')
    expect(message.key).toBe(record.key)
    expect(message.value).toBe(record.value)
    const headers = Object.fromEntries(message.headers.map((h) => [h.key, h.value && utf8.decode(h.value)]))
    expect(headers).toMatchObject({
      trace: '\u0003',
      [DEAD_LETTER_HEADERS.topic]: 'orders',
      [DEAD_LETTER_HEADERS.partition]: '2',
      [DEAD_LETTER_HEADERS.offset]: '41',
      [DEAD_LETTER_HEADERS.attempts]: '4',
      [DEAD_LETTER_HEADERS.error]: 'boom',
      [DEAD_LETTER_HEADERS.errorName]: 'TypeError',
    })
  })

  it('routes by a fixed topic or a function, and describes non-Error causes', () => {
    const error = new ProcessingError('HANDLER_FAILED', record, 1, 'plain string')
    expect(deadLetterMessage(record, error, 1, 'all-dlq').topic).toBe('all-dlq')
    const routed = deadLetterMessage(record, error, 1, (t) => `${t}-dead`)
    expect(routed.topic).toBe('orders-dead')
    expect(routed.headers.find((h) => h.key === DEAD_LETTER_HEADERS.errorName)?.value).toEqual(new TextEncoder().encode('string'))
  })

  it('validates the topic option', () => {
    expect(checkDeadLetterTopic(undefined, 'deadLetter.topic')).toBeUndefined()
    expect(checkDeadLetterTopic('x', 'deadLetter.topic')).toBe('x')
    expect(() => checkDeadLetterTopic('', 'deadLetter.topic')).toThrow(ConfigError)
    expect(() => checkDeadLetterTopic(3, 'deadLetter.topic')).toThrow(/deadLetter.topic/)
  })
})
