import { Kafka, logLevel } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import * as core from '@offsetkit/commit-core'
import * as adapter from '../src/index.js'
import { ClientError, ConfigError, isOffsetkitError, offsetkitKafkajs } from '../src/index.js'
import { kafkajsStartError } from '../src/kafkajs-start-error.js'

/** The error shapes kafkajs throws (class names, protocol `type`s), wrapped as its retrier wraps them. */
function kafkajsError(name: string, message: string, extra: object = {}, cause?: Error): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { name, ...extra })
}

describe('kafkajsStartError', () => {
  it.each([
    ['BROKER_UNREACHABLE', kafkajsError('KafkaJSNumberOfRetriesExceeded', 'Connection error: connect ECONNREFUSED 127.0.0.1:1', {},
      kafkajsError('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' }))],
    ['TOPIC_NOT_FOUND', kafkajsError('KafkaJSProtocolError', 'This server does not host this topic-partition', { type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3 })],
    ['AUTHENTICATION', kafkajsError('KafkaJSSASLAuthenticationError', 'SASL PLAIN authentication failed')],
    ['AUTHORIZATION', kafkajsError('KafkaJSNonRetriableError', 'not authorized', {},
      kafkajsError('KafkaJSProtocolError', 'Not authorized to access group', { type: 'GROUP_AUTHORIZATION_FAILED' }))],
    ['CLIENT_FAILED', new Error('something else')],
  ])('%s', (code, thrown) => {
    const error = kafkajsStartError(thrown, ['orders']) as ClientError
    expect(error).toBeInstanceOf(ClientError)
    expect(error.code).toBe(code)
    expect(error.cause).toBe(thrown)
    if (code === 'TOPIC_NOT_FOUND') expect(error.topics).toEqual(['orders'])
  })

  it('passes an offsetkit error through', () => {
    const config = new ConfigError('x', 1, 'y')
    expect(kafkajsStartError(config, [])).toBe(config)
  })
})

describe('@offsetkit/kafkajs is the one install', () => {
  it('re-exports the error classes and the guard from core (the same classes)', () => {
    for (const name of ['OffsetkitError', 'ConfigError', 'CommitError', 'ConsumerStateError', 'ClientError', 'isOffsetkitError'] as const) {
      expect(adapter[name]).toBe(core[name])
    }
    expect(isOffsetkitError(new ClientError('CLIENT_FAILED'))).toBe(true)
  })

  it("an unknown option lists the adapter's own options and suggests the nearest", () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING })
    let error: unknown
    try {
      offsetkitKafkajs(kafka.consumer({ groupId: 'g' }), { fromBegining: true } as never)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).option).toBe('options.fromBegining')
    expect((error as ConfigError).message).toMatch(/did you mean fromBeginning\?/)
    expect((error as ConfigError).message).toMatch(/fromBeginning, deadLetter, transaction, kafka$/)
    expect((error as ConfigError).message).not.toMatch(/\b(port|handler|clock)\b/)
  })
})

describe('a broker that is not there', () => {
  it('run() rejects with ClientError BROKER_UNREACHABLE (not KafkaJSNumberOfRetriesExceeded), and close() resolves', async () => {
    // retries: 0 — kafkajs' connection retries are what makes this take 6–10 s by default.
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
    const consumer = offsetkitKafkajs(kafka.consumer({ groupId: 'g' }), { logger: core.noopLogger })
    const error = await consumer.run({ topics: ['t'], handler: () => undefined }).then(() => 'resolved', (e: unknown) => e)
    expect(error).toBeInstanceOf(ClientError)
    expect((error as ClientError).code).toBe('BROKER_UNREACHABLE')
    expect((error as ClientError).message).toMatch(/check the bootstrap servers/)
    await expect(consumer.close()).resolves.toBeUndefined()
  })
})
