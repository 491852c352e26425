import { Kafka, logLevel } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { ConfigError, offsetkitKafkajs, type KafkajsOffsetkitOptions } from '../src/index.js'

const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING })
const consumer = () => kafka.consumer({ groupId: 'g' })
const transaction = { kafka, id: 'orders-pipeline' }

function rejected(options: unknown): ConfigError {
  try {
    offsetkitKafkajs(consumer(), options as KafkajsOffsetkitOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe("mode: 'transactional' option checks (before anything connects)", () => {
  it('accepts mode transactional with a transaction option', () => {
    expect(() => offsetkitKafkajs(consumer(), { mode: 'transactional', transaction })).not.toThrow()
    expect(() => offsetkitKafkajs(consumer(), { mode: 'transactional', transaction: { ...transaction, producer: { transactionTimeout: 10_000 } } })).not.toThrow()
  })

  it('mode transactional without a transaction option', () => {
    expect(rejected({ mode: 'transactional' }).option).toBe('transaction')
  })

  it('a transaction option without mode transactional', () => {
    const error = rejected({ transaction })
    expect(error.option).toBe('transaction')
    expect(error.accepted).toMatch(/mode: 'transactional'/)
  })

  it.each([
    ['transaction.id', { mode: 'transactional', transaction: { kafka, id: '' } }],
    ['transaction.id', { mode: 'transactional', transaction: { kafka } }],
    ['transaction.kafka', { mode: 'transactional', transaction: { id: 'x' } }],
    ['transaction.kafka', { mode: 'transactional', transaction: { kafka: consumer(), id: 'x' } }],
    ['transaction.idd', { mode: 'transactional', transaction: { kafka, idd: 'x' } }],
    ['transaction.producer.transactionalId', { mode: 'transactional', transaction: { ...transaction, producer: { transactionalId: 'x' } } }],
    ['transaction.producer.transactionTimeout', { mode: 'transactional', transaction: { ...transaction, producer: { transactionTimeout: 0 } } }],
  ])('%s', (option, options) => {
    expect(rejected(options).option).toBe(option)
  })

  it('a dead-letter producer in transactional mode (dead letters go into the transaction)', () => {
    const error = rejected({ mode: 'transactional', transaction, deadLetter: { producer: kafka.producer() }, failure: { then: 'dead-letter' } })
    expect(error.option).toBe('deadLetter.producer')
  })

  it("dead-letter in transactional mode needs no producer: the port offers deadLetterOutput", () => {
    expect(() => offsetkitKafkajs(consumer(), { mode: 'transactional', transaction, failure: { then: 'dead-letter' }, deadLetter: { topic: 'dlq' } })).not.toThrow()
    expect(() => offsetkitKafkajs(consumer(), { mode: 'transactional', transaction, failure: { then: 'dead-letter' } })).not.toThrow()
  })

  it("core's commit-policy checks still apply", () => {
    for (const commit of ['none', 'per-message-async'] as const) {
      expect(rejected({ mode: 'transactional', transaction, commit }).option).toBe('commit')
    }
    // kafkajs' port implements no storeOffsets: 'auto' is refused in any mode.
    expect(rejected({ mode: 'transactional', transaction, commit: 'auto' }).option).toBe('commit')
  })

  it('a typo of transaction gets the did-you-mean error', () => {
    const error = rejected({ transacton: transaction })
    expect(error.option).toBe('options.transacton')
    expect(error.message).toMatch(/did you mean transaction\?/)
  })
})
