import type { Message } from 'node-rdkafka'
import { describe, expect, it } from 'vitest'
import { commitOffsetFromNumber, commitOffsetToNumber, nextOffsetAfter, OffsetError } from '@offsetkit/commit-core'
import { headersFromNodeRdkafka, recordFromNodeRdkafka } from '../src/index.js'

const message = (over: Partial<Message> = {}): Message => ({
  topic: 't', partition: 2, offset: 41, value: Buffer.from('v'), key: Buffer.from('k'), size: 1, timestamp: 1700000000000, ...over,
})

describe('recordFromNodeRdkafka', () => {
  it('converts the number offset exactly; the commit offset that crosses back is a number, +1', () => {
    const record = recordFromNodeRdkafka(message())
    expect(record.offset).toBe(41n)
    const next = commitOffsetToNumber(nextOffsetAfter(record.offset))
    expect(next).toBe(42)
    expect(typeof next).toBe('number')
    expect(commitOffsetFromNumber(next)).toBe(42n)
  })

  it('round-trips the largest exact number offset and refuses one beyond it', () => {
    const max = Number.MAX_SAFE_INTEGER - 1
    expect(commitOffsetToNumber(nextOffsetAfter(recordFromNodeRdkafka(message({ offset: max })).offset))).toBe(Number.MAX_SAFE_INTEGER)
    expect(() => recordFromNodeRdkafka(message({ offset: 2 ** 53 }))).toThrow(OffsetError)
  })

  it('keeps key, value, timestamp and the native message; a missing key is null', () => {
    const native = message({ key: undefined })
    const record = recordFromNodeRdkafka(native)
    expect(record).toMatchObject({ topic: 't', partition: 2, key: null, timestamp: 1700000000000 })
    expect(Buffer.from(record.value ?? []).toString()).toBe('v')
    expect(record.native).toBe(native)
    expect(record.leaderEpoch).toBeUndefined()
  })

  it('normalizes [{ key: Buffer }] headers to an ordered list, keeping repeated keys', () => {
    const headers = headersFromNodeRdkafka([{ a: Buffer.from('1') }, { b: '2' }, { a: Buffer.from('3') }])
    expect(headers.map((h) => [h.key, Buffer.from(h.value ?? []).toString()])).toEqual([['a', '1'], ['b', '2'], ['a', '3']])
    expect(recordFromNodeRdkafka(message()).headers).toEqual([])
  })
})
