import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  groupByTopic,
  commitOffsetFromBigInt,
  commitOffsetFromNumber,
  commitOffsetFromString,
  commitOffsetToNumber,
  commitOffsetToString,
  lastOffsetBefore,
  nextOffsetAfter,
  OffsetError,
  offsetFromBigInt,
  offsetFromNumber,
  offsetFromString,
  recordOffsetToNumber,
  recordOffsetToString,
  resumeAt,
} from '../src/index.js'

const MAX = 2n ** 63n - 1n

describe('offset converters', () => {
  it('round-trip decimal strings (kafkajs, confluent KafkaJS API)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX }), (n) => {
        const s = n.toString()
        expect(recordOffsetToString(offsetFromString(s))).toBe(s)
        expect(commitOffsetToString(commitOffsetFromString(s))).toBe(s)
      }),
    )
  })

  it('accepts exactly the canonical decimal strings: the short-string fast path agrees with the rule', () => {
    const canonical = /^(?:0|[1-9][0-9]*)$/
    const text = fc.oneof(
      fc.integer({ min: 0, max: 10 ** 15 }).map(String),
      fc.string({ unit: fc.constantFrom('0', '1', '9', ' ', '-', '+', '.', 'e', 'x', '٣'), maxLength: 17 }),
    )
    fc.assert(
      fc.property(text, (s) => {
        const valid = canonical.test(s) && BigInt(s) <= MAX
        const parsed = (() => { try { return offsetFromString(s) } catch { return undefined } })()
        expect(parsed === undefined ? undefined : String(parsed)).toBe(valid ? String(BigInt(s)) : undefined)
      }),
    )
  })

  it('round-trip safe numbers (node-rdkafka)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(recordOffsetToNumber(offsetFromNumber(n))).toBe(n)
        expect(commitOffsetToNumber(commitOffsetFromNumber(n))).toBe(n)
      }),
    )
  })

  it('string -> number -> string agrees with the +1 done once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1 }), (n) => {
        const commit = nextOffsetAfter(offsetFromString(String(n)))
        expect(commitOffsetToNumber(commit)).toBe(n + 1)
        expect(lastOffsetBefore(commit)).toBe(BigInt(n))
      }),
    )
  })

  it.each([
    ['', 'empty'],
    ['-1', 'negative sentinel'],
    ['-1001', 'rdkafka invalid-offset sentinel'],
    ['01', 'leading zero'],
    [' 1', 'space'],
    ['1.5', 'fraction'],
    ['1e3', 'exponent'],
    ['+1', 'sign'],
    ['0x10', 'hex'],
    ['9223372036854775808', 'beyond int64'],
  ])('rejects the string %j (%s) with a typed error', (value) => {
    const error = captureError(() => offsetFromString(value))
    expect(error).toBeInstanceOf(OffsetError)
    expect(error).toMatchObject({ code: 'INVALID_OFFSET', value })
    expect(() => commitOffsetFromString(value)).toThrow(OffsetError)
  })

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, 2 ** 63])('rejects the number %s', (value) => {
    expect(() => offsetFromNumber(value)).toThrow(OffsetError)
    expect(() => commitOffsetFromNumber(value)).toThrow(OffsetError)
  })

  it('rejects non-string and non-number inputs that slipped past the types', () => {
    expect(() => offsetFromString(5 as unknown as string)).toThrow(OffsetError)
    expect(() => offsetFromNumber('5' as unknown as number)).toThrow(OffsetError)
    expect(() => offsetFromBigInt(5 as unknown as bigint)).toThrow(OffsetError)
  })

  it('accepts bigints inside int64 and rejects the rest', () => {
    expect(offsetFromBigInt(MAX)).toBe(MAX)
    expect(commitOffsetFromBigInt(0n)).toBe(0n)
    expect(() => offsetFromBigInt(-1n)).toThrow(OffsetError)
    expect(() => commitOffsetFromBigInt(MAX + 1n)).toThrow(OffsetError)
  })

  it('refuses to turn an unsafe offset into a number (rdkafka would lose precision)', () => {
    const big = commitOffsetFromString('9007199254740993')
    expect(() => commitOffsetToNumber(big)).toThrow(OffsetError)
    expect(() => recordOffsetToNumber(offsetFromString('9007199254740993'))).toThrow(OffsetError)
  })

  it('commit offset = next offset to read: the +1 lives in nextOffsetAfter only', () => {
    const r = offsetFromNumber(41)
    expect(nextOffsetAfter(r)).toBe(42n)
    expect(resumeAt(r)).toBe(41n)
    expect(lastOffsetBefore(commitOffsetFromNumber(0))).toBeUndefined()
  })
})

function captureError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('groupByTopic', () => {
  it('groups partitions by topic, keeping first-seen order', () => {
    expect(groupByTopic([{ topic: 'a', partition: 1 }, { topic: 'b', partition: 0 }, { topic: 'a', partition: 0 }])).toEqual([
      { topic: 'a', partitions: [1, 0] },
      { topic: 'b', partitions: [0] },
    ])
    expect(groupByTopic([])).toEqual([])
  })
})
