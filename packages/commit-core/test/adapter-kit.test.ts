import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigError, checkDeadLetterProducer } from '@offsetkit/commit-core'
import { ClientNotRunningError, classifyByCause, classifyLibrdkafkaCommitError, headersFromGrouped, headersToGrouped, isPlainObject, timestampFromString } from '@offsetkit/commit-core/adapter'

const withCode = (code: number, cause?: unknown) => Object.assign(new Error(`code ${code}`, cause === undefined ? undefined : { cause }), { code })

describe('classifyLibrdkafkaCommitError (one table for both librdkafka clients)', () => {
  it('maps codes by class, on the error or down its cause chain', () => {
    expect(classifyLibrdkafkaCommitError(withCode(27))).toBe('rebalance')
    expect(classifyLibrdkafkaCommitError(withCode(22))).toBe('rebalance')
    expect(classifyLibrdkafkaCommitError(withCode(-195))).toBe('retriable')
    expect(classifyLibrdkafkaCommitError(new Error('KafkaJS wrapper', { cause: withCode(16) }))).toBe('retriable')
    // -1 carries no class of its own: the cause below it decides, else it is fatal.
    expect(classifyLibrdkafkaCommitError(withCode(-1))).toBe('fatal')
    expect(classifyLibrdkafkaCommitError(withCode(-1, withCode(-185)))).toBe('retriable')
    expect(classifyLibrdkafkaCommitError(withCode(29))).toBe('fatal')
  })

  it('a port that cannot send (ClientNotRunningError) is fenced: dropped, never retried', () => {
    expect(classifyLibrdkafkaCommitError(new ClientNotRunningError('not connected'))).toBe('fenced')
  })

  it('stops at cycles and at the depth bound', () => {
    const a: Error & { cause?: unknown } = new Error('a')
    a.cause = a
    expect(classifyByCause(a, () => undefined)).toBe('fatal')
    let deep: unknown = withCode(27)
    for (let i = 0; i < 5; i++) deep = new Error('wrap', { cause: deep })
    expect(classifyLibrdkafkaCommitError(deep)).toBe('fatal')
  })
})

describe('grouped headers (kafkajs and the confluent KafkaJS API)', () => {
  it('round-trips repeated keys in order, strings as UTF-8, missing values as null', () => {
    const list = headersFromGrouped<Uint8Array>({ a: [new Uint8Array([1]), 'é'], b: undefined, c: 'x' })
    expect(list).toEqual([
      { key: 'a', value: new Uint8Array([1]) },
      { key: 'a', value: new TextEncoder().encode('é') },
      { key: 'b', value: null },
      { key: 'c', value: new TextEncoder().encode('x') },
    ])
    expect(headersToGrouped(list, (v) => Array.from(v))).toEqual({ a: [[1], [0xc3, 0xa9]], b: [[]], c: [[0x78]] })
  })
})

describe('option checks the adapters share', () => {
  it('checkDeadLetterProducer: an object with the named functions, else ConfigError naming deadLetter.producer in the adapter\'s words', () => {
    expect(() => checkDeadLetterProducer({ send: () => undefined }, 'a connected Producer')).not.toThrow()
    expect(() => checkDeadLetterProducer({ produce: () => undefined, poll: () => undefined, on: () => undefined }, 'x', ['produce', 'poll', 'on'])).not.toThrow()
    for (const producer of [undefined, null, 'producer', {}, { send: 'no' }]) {
      const error = (() => {
        try {
          checkDeadLetterProducer(producer, 'a connected Producer')
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).option).toBe('deadLetter.producer')
      expect((error as ConfigError).accepted).toBe('a connected Producer')
    }
    expect(() => checkDeadLetterProducer({ produce: () => undefined }, 'x', ['produce', 'poll'])).toThrow(/deadLetter\.producer: got an object \(not shown\); expected x$/)
  })

  it('isPlainObject: object literals and null-prototype objects only', () => {
    expect(isPlainObject({})).toBe(true)
    expect(isPlainObject(Object.create(null))).toBe(true)
    expect(isPlainObject([])).toBe(false)
    expect(isPlainObject(null)).toBe(false)
    expect(isPlainObject(new Map())).toBe(false)
  })
})

describe('timestampFromString', () => {
  it('is Number(value) for every string, canonical timestamps or not', () => {
    const text = fc.oneof(
      fc.integer({ min: 0, max: 10 ** 15 }).map(String),
      fc.string({ unit: fc.constantFrom('0', '1', '9', ' ', '-', '.', 'e'), maxLength: 17 }),
    )
    fc.assert(fc.property(text, (s) => {
      expect(Object.is(timestampFromString(s), Number(s))).toBe(true)
    }))
  })
})

describe('headersFromGrouped without headers', () => {
  it('returns one shared, frozen empty list (no allocation per record)', () => {
    expect(headersFromGrouped(undefined)).toBe(headersFromGrouped({}))
    expect(Object.isFrozen(headersFromGrouped({}))).toBe(true)
  })
})
