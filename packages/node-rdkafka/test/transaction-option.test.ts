// mode: 'transactional' and the `transaction` option are checked when offsetkitNodeRdkafka() is
// called: nothing connects (the broker address is unreachable, the calls throw synchronously).
import Kafka from 'node-rdkafka'
import { describe, expect, it } from 'vitest'
import { ConfigError, DEAD_LETTER_HEADERS, ProcessingError, offsetFromNumber, type ConsumedRecord } from '@offsetkit/commit-core'
import { offsetkitNodeRdkafka, type NodeRdkafkaOffsetkitOptions } from '../src/index.js'
import { NodeRdkafkaDriver } from '../src/node-rdkafka-driver.js'

const base = { 'metadata.broker.list': '127.0.0.1:1', 'group.id': 'g' }
const producerConfig = { 'metadata.broker.list': '127.0.0.1:1', 'transactional.id': 'orders-enricher-1' }
const transactional = (extra: Partial<NodeRdkafkaOffsetkitOptions> = {}): NodeRdkafkaOffsetkitOptions =>
  ({ mode: 'transactional', transaction: { producerConfig }, ...extra }) as NodeRdkafkaOffsetkitOptions

function rejected(options: NodeRdkafkaOffsetkitOptions, config: Record<string, unknown> = base): ConfigError {
  try {
    offsetkitNodeRdkafka({ config: config as never }, options)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe("offsetkitNodeRdkafka mode: 'transactional' option checks (before connecting)", () => {
  it.each([
    ['transaction', { mode: 'transactional' }],
    ['transaction', { transaction: { producerConfig } }],
    ['transaction', { mode: 'at-least-once', transaction: { producerConfig } }],
    ['transaction', { mode: 'transactional', transaction: 'yes' }],
    ['transaction.producerconfig', { mode: 'transactional', transaction: { producerconfig: producerConfig } }],
    ['transaction.producerConfig', { mode: 'transactional', transaction: { producerConfig: null } }],
    ['transaction.producerConfig["transactional.id"]', { mode: 'transactional', transaction: { producerConfig: { 'metadata.broker.list': 'b:9092' } } }],
    ['transaction.producerConfig["transactional.id"]', { mode: 'transactional', transaction: { producerConfig: { ...producerConfig, 'transactional.id': '' } } }],
    ['transaction.producerConfig["metadata.broker.list"]', { mode: 'transactional', transaction: { producerConfig: { 'transactional.id': 'x' } } }],
    ['transaction.producerConfig.dr_cb', { mode: 'transactional', transaction: { producerConfig: { ...producerConfig, dr_cb: true } } }],
    // librdkafka's own rejection of the producer config, named by the offending key
    ['transaction.producerConfig["no.such.property"]', { mode: 'transactional', transaction: { producerConfig: { ...producerConfig, 'no.such.property': 1 } } }],
    ['deadLetter.producer', transactional({ deadLetter: { producer: new Kafka.Producer({ ...base, dr_cb: true }) } })],
    ['deadLetter.producer', { deadLetter: { topic: 'dlq' } }],
  ] as Array<[string, NodeRdkafkaOffsetkitOptions]>)('rejects %s', (option, options) => {
    expect(rejected(options).option).toBe(option)
  })

  it("leaves the commit-policy check to core: commit: 'auto' would commit outside the transactions", () => {
    expect(rejected(transactional({ commit: 'auto' })).option).toBe('commit')
  })

  it('accepts a transactional configuration without connecting (dead letters need only a topic)', () => {
    const consumer = offsetkitNodeRdkafka({ config: base }, transactional({ failure: { then: 'dead-letter' }, deadLetter: { topic: 'dlq' } }))
    expect(consumer.health().state).toBe('idle')
    expect(() => offsetkitNodeRdkafka({ config: { ...base, 'isolation.level': 'read_committed' } }, transactional())).not.toThrow()
  })

  it('rejects a read_uncommitted consumer: it would read aborted outputs of an upstream transaction', () => {
    expect(rejected(transactional(), { ...base, 'isolation.level': 'read_uncommitted' }).option).toBe('config["isolation.level"]')
  })

  it('suggests the option name for a typo', () => {
    const error = rejected({ transactoin: { producerConfig } } as never)
    expect(error.option).toBe('options.transactoin')
    expect(error.message).toMatch(/did you mean transaction\?/)
    // In transactional mode the missing option is named first (the adapter checks it before core's key check).
    expect(rejected({ mode: 'transactional', transactoin: { producerConfig } } as never).option).toBe('transaction')
  })

  it('never shows a credential of the producer config', () => {
    const secret = 'hunter2-hunter2'
    const error = rejected({ transaction: { producerConfig: { ...producerConfig, 'sasl.password': secret } } } as never)
    expect(error.message).not.toContain(secret)
    const invalid = rejected({ mode: 'transactional', transaction: { producerConfig: { 'transactional.id': '', 'sasl.password': secret, 'metadata.broker.list': 'b:1' } } } as never)
    expect(JSON.stringify({ ...invalid, message: invalid.message })).not.toContain(secret)
  })

  it('declares capabilities.transactions, and a dead letter inside the transaction, only with a transaction option', () => {
    const driver = (config: Record<string, unknown> | undefined, deadLetterTopic?: string) => new NodeRdkafkaDriver({
      global: base, topic: {}, batchSize: 10, consumeTimeoutMs: 10, autoCommit: false, connectTimeoutMs: 1000, autoCreateTopics: false,
      deadLetter: deadLetterTopic === undefined ? undefined : { producer: undefined, topic: deadLetterTopic }, producerConfig: config, logger: undefined,
    })
    expect(driver(undefined).port.capabilities.transactions).toBe(false)
    expect(driver(undefined).port.deadLetterOutput).toBeUndefined()
    const port = driver(producerConfig, 'dlq').port
    expect(port.capabilities.transactions).toBe(true)
    const record: ConsumedRecord = {
      topic: 'in', partition: 1, offset: offsetFromNumber(7), key: new Uint8Array([1]), value: new Uint8Array([2]), headers: [], timestamp: 0, native: undefined,
    }
    const letter = port.deadLetterOutput?.(record as never, new ProcessingError('HANDLER_FAILED', record, 3, new Error('poison')), 3)
    expect(letter).toMatchObject({ topic: 'dlq', key: record.key, value: record.value })
    expect(letter?.partition).toBeUndefined()
    expect(letter?.headers.find((h) => h.key === DEAD_LETTER_HEADERS.offset)?.value).toEqual(new TextEncoder().encode('7'))
  })
})
