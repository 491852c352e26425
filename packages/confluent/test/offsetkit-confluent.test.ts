// Bad input is rejected by offsetkitConfluent() itself, before anything connects: the Kafka
// instance points at a port nobody listens on, so any attempt to connect would hang or fail
// differently than the ConfigError asserted here.
import { ConfigError } from '@offsetkit/commit-core'
import { KafkaJS } from '@confluentinc/kafka-javascript'
import { describe, expect, it } from 'vitest'
import { offsetkitConfluent } from '../src/index.js'

const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: ['127.0.0.1:1'], logLevel: KafkaJS.logLevel.NOTHING } })
const good = { kafkaJS: { groupId: 'g' } }

function rejected(run: () => unknown): ConfigError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('offsetkitConfluent option checks', () => {
  it.each([
    ['config.rebalance_cb', { ...good, rebalance_cb: () => undefined }],
    ['config.offset_commit_cb', { ...good, offset_commit_cb: true }],
    ["config['enable.auto.offset.store']", { ...good, 'enable.auto.offset.store': false }],
    ["config['enable.auto.commit']", { ...good, 'enable.auto.commit': true }],
    ["config['auto.commit.interval.ms']", { ...good, 'auto.commit.interval.ms': 1000 }],
    ['config.kafkaJS.autoCommit', { kafkaJS: { groupId: 'g', autoCommit: true } }],
    ['config.kafkaJS.autoCommitInterval', { kafkaJS: { groupId: 'g', autoCommitInterval: 100 } }],
    ['config.kafkaJS.autoCommitThreshold', { kafkaJS: { groupId: 'g', autoCommitThreshold: 100 } }],
    ['config.kafkaJS.groupId', { kafkaJS: {} }],
    ["config['group.id']", { 'group.id': '' }],
    ["config['js.consumer.max.batch.size']", { ...good, 'js.consumer.max.batch.size': 0 }],
    ['config.kafkaJS', { kafkaJS: 'nope' }],
    ['config', null],
  ])('names %s', (option, config) => {
    const error = rejected(() => offsetkitConfluent(kafka, config as KafkaJS.ConsumerConstructorConfig))
    expect(error.option.replace(/\['(.*)'\]/, '.$1')).toBe(option.replace(/\['(.*)'\]/, '.$1'))
  })

  it('rejects commit auto, saying the adapter cannot store offsets', () => {
    expect(rejected(() => offsetkitConfluent(kafka, good, { commit: 'auto' })).option).toBe('commit')
  })

  it('rejects dead-lettering without a producer, and a bad dead-letter topic', () => {
    expect(rejected(() => offsetkitConfluent(kafka, good, { failure: { then: 'dead-letter' } })).option).toBe('failure.then')
    expect(rejected(() => offsetkitConfluent(kafka, good, { deadLetter: { producer: {} as KafkaJS.Producer } })).option).toBe('deadLetter.producer')
    const producer = kafka.producer()
    expect(rejected(() => offsetkitConfluent(kafka, good, { deadLetter: { producer, topic: '' } })).option).toBe('deadLetter.topic')
  })

  it('rejects core options and a missing Kafka instance by name', () => {
    expect(rejected(() => offsetkitConfluent(kafka, good, { commit: { every: 0 } })).option).toBe('commit.every')
    expect(rejected(() => offsetkitConfluent(undefined as unknown as KafkaJS.Kafka, good)).option).toBe('kafka')
  })

  it('accepts group.id at top level, autoCommit false and an explicit batch size', () => {
    expect(() => offsetkitConfluent(kafka, { 'group.id': 'g', 'js.consumer.max.batch.size': '64' })).not.toThrow()
    expect(() => offsetkitConfluent(kafka, { kafkaJS: { groupId: 'g', autoCommit: false, fromBeginning: true } })).not.toThrow()
  })
})

describe('offsetkitConfluent unknown options', () => {
  it("list the adapter's own options and suggest the nearest", () => {
    const error = rejected(() => offsetkitConfluent(kafka, good, { deadleter: {} } as never))
    expect(error.option).toBe('options.deadleter')
    expect(error.message).toMatch(/did you mean deadLetter\?/)
    expect(error.message).not.toMatch(/\b(port|handler|clock|fromBeginning)\b/)
  })
})

describe("offsetkitConfluent mode 'transactional'", () => {
  const transactional = { mode: 'transactional' as const, commit: { every: 100 } }
  const transaction = { id: 'orders-enricher-0' }

  it.each([
    ['transaction', good, { ...transactional }],
    ['transaction', good, { transaction }],
    ['transaction', good, { mode: 'at-least-once' as const, transaction }],
    ['transaction', good, { ...transactional, transaction: 'id' }],
    ['transaction.id', good, { ...transactional, transaction: { id: '' } }],
    ['transaction.id', good, { ...transactional, transaction: {} }],
    ['transaction.ids', good, { ...transactional, transaction: { ids: 'x' } }],
    ["transaction.producerConfig['transactional.id']", good, { ...transactional, transaction: { ...transaction, producerConfig: { 'transactional.id': 'x' } } }],
    ['transaction.producerConfig.kafkaJS.transactionalId', good, { ...transactional, transaction: { ...transaction, producerConfig: { kafkaJS: { transactionalId: 'x' } } } }],
    ["transaction.producerConfig['enable.idempotence']", good, { ...transactional, transaction: { ...transaction, producerConfig: { 'enable.idempotence': false } } }],
    ['transaction.producerConfig.kafkaJS.idempotent', good, { ...transactional, transaction: { ...transaction, producerConfig: { kafkaJS: { idempotent: false } } } }],
    // A librdkafka property the client would reject, found without connecting.
    ['transaction.producerConfig["lnger.ms"]', good, { ...transactional, transaction: { ...transaction, producerConfig: { 'lnger.ms': 5 } } }],
    ["config['isolation.level']", { ...good, 'isolation.level': 'read_uncommitted' }, { ...transactional, transaction }],
    ['config.kafkaJS.readUncommitted', { kafkaJS: { groupId: 'g', readUncommitted: true } }, { ...transactional, transaction }],
    ['deadLetter.producer', good, { ...transactional, transaction, deadLetter: { producer: kafka.producer() } }],
  ])('names %s', (option, config, options) => {
    const error = rejected(() => offsetkitConfluent(kafka, config as KafkaJS.ConsumerConstructorConfig, options as never))
    expect(error.option).toBe(option)
  })

  it('a misspelt option is named with its did-you-mean first', () => {
    const error = rejected(() => offsetkitConfluent(kafka, good, { ...transactional, transacton: transaction } as never))
    expect(error.option).toBe('options.transacton')
    expect(error.message).toMatch(/did you mean transaction\?/)
  })

  it('accepts a transaction with producer overrides, read_committed, and dead letters without a producer', () => {
    const producerConfig = { 'linger.ms': 5, kafkaJS: { compression: KafkaJS.CompressionTypes.GZIP } }
    expect(() => offsetkitConfluent(kafka, { ...good, 'isolation.level': 'read_committed' }, { ...transactional, transaction: { ...transaction, producerConfig } })).not.toThrow()
    expect(() => offsetkitConfluent(kafka, { kafkaJS: { groupId: 'g', readUncommitted: false } }, {
      ...transactional, transaction, failure: { then: 'dead-letter' }, deadLetter: { topic: 'orders.dlq' },
    })).not.toThrow()
    expect(() => offsetkitConfluent(kafka, good, { ...transactional, transaction, failure: { then: 'dead-letter' } })).not.toThrow()
  })

  it('declares transactions only with a transaction option, and still needs a producer to dead-letter without one', () => {
    expect(rejected(() => offsetkitConfluent(kafka, good, { failure: { then: 'dead-letter' }, deadLetter: { topic: 'x' } })).option).toBe('deadLetter.producer')
  })
})
