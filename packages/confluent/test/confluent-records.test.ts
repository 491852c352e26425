import { offsetFromString, resumeAt } from '@offsetkit/commit-core'
import type { KafkaJS } from '@confluentinc/kafka-javascript'
import { describe, expect, it } from 'vitest'
import { headersFromConfluent, headersToConfluent, recordFromConfluent } from '../src/confluent-records.js'

const message = (overrides: Partial<KafkaJS.KafkaMessage> = {}): KafkaJS.KafkaMessage =>
  ({ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: '1700000000123', attributes: 0, offset: '41', size: 1, headers: {}, ...overrides }) as KafkaJS.KafkaMessage

describe('recordFromConfluent', () => {
  it('turns the decimal string offset into a record offset and keeps the leader epoch', () => {
    const native = message({ leaderEpoch: 7 })
    const record = recordFromConfluent('t', 2, native)
    expect(record).toMatchObject({ topic: 't', partition: 2, offset: 41n, leaderEpoch: 7, timestamp: 1700000000123, native })
    expect(record.key).toEqual(Buffer.from('k'))
    expect(record.value).toEqual(Buffer.from('v'))
  })

  it('keeps offsets beyond 2^53 exact', () => {
    expect(recordFromConfluent('t', 0, message({ offset: '9007199254740993' })).offset).toBe(9007199254740993n)
  })

  it('leaves leaderEpoch out when the client has none, and maps missing key/value to null', () => {
    const record = recordFromConfluent('t', 0, message({ key: null, value: null, headers: undefined } as Partial<KafkaJS.KafkaMessage>))
    expect('leaderEpoch' in record).toBe(false)
    expect(record.key).toBeNull()
    expect(record.value).toBeNull()
    expect(record.headers).toEqual([])
  })

  it('rejects an offset that is not a decimal string instead of guessing', () => {
    expect(() => recordFromConfluent('t', 0, message({ offset: '-1' }))).toThrow()
  })

  it('round-trips the record offset through the core offset model', () => {
    expect(resumeAt(offsetFromString('41'))).toBe(41n)
  })
})

describe('headers', () => {
  it('flattens repeated keys in order and converts string values to bytes', () => {
    const headers = headersFromConfluent({ a: [Buffer.from('1'), Buffer.from('2')], b: 'x' })
    expect(headers.map((h) => [h.key, Buffer.from(h.value ?? []).toString()])).toEqual([['a', '1'], ['a', '2'], ['b', 'x']])
  })

  it('groups headers by key for the producer, null becoming an empty value', () => {
    const out = headersToConfluent([{ key: 'a', value: new Uint8Array([49]) }, { key: 'a', value: null }])
    expect(out).toEqual({ a: [Buffer.from('1'), Buffer.alloc(0)] })
  })
})
