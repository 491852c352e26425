import { describe, expect, it } from 'vitest'
import { noopLogger } from '@offsetkit/commit-core'
import { ClientError, ConfigError, offsetkitNodeRdkafka } from '../src/index.js'
import { nodeRdkafkaStartError } from '../src/node-rdkafka-start-error.js'

const rdkafkaError = (code: number, message: string) => Object.assign(new Error(message), { code })

describe('nodeRdkafkaStartError', () => {
  it.each([
    [-195, 'broker transport failure', 'BROKER_UNREACHABLE'],
    [-185, 'Local: Timed out', 'BROKER_UNREACHABLE'],
    [-169, 'Local: Authentication failure', 'AUTHENTICATION'],
    [29, 'Broker: Topic authorization failed', 'AUTHORIZATION'],
    [3, 'Broker: Unknown topic or partition', 'TOPIC_NOT_FOUND'],
    [-1, 'Unknown', 'CLIENT_FAILED'],
  ])('code %i → %s', (code, message, expected) => {
    const thrown = rdkafkaError(code, message)
    const error = nodeRdkafkaStartError(thrown, ['orders'], [])
    expect(error).toBeInstanceOf(ClientError)
    expect(error.code).toBe(expected)
    expect((error.cause as { code: number }).code).toBe(code)
  })

  it("scrubs the config's secrets from the message and cause", () => {
    const error = nodeRdkafkaStartError(rdkafkaError(-169, 'SASL authentication error: hunter2-SECRET rejected'), [], ['hunter2-SECRET'])
    expect(error.message).not.toContain('hunter2-SECRET')
    expect((error.cause as Error).message).not.toContain('hunter2-SECRET')
  })
})

describe('offsetkitNodeRdkafka options', () => {
  const client = { config: { 'metadata.broker.list': '127.0.0.1:1', 'group.id': 'g' } }
  it("an unknown option lists the adapter's own options and suggests the nearest", () => {
    expect(() => offsetkitNodeRdkafka(client, { batchsize: 10 } as never)).toThrow(ConfigError)
    expect(() => offsetkitNodeRdkafka(client, { batchsize: 10 } as never))
      .toThrow(/did you mean batchSize\?.*deadLetter, transaction, batchSize, consumeTimeoutMs, connectTimeoutMs$/)
  })

  it('connectTimeoutMs must be a positive integer', () => {
    expect(() => offsetkitNodeRdkafka(client, { connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs/)
  })
})

describe('a broker that is not there', () => {
  it('run() rejects with ClientError BROKER_UNREACHABLE after connectTimeoutMs, and close() resolves', async () => {
    const consumer = offsetkitNodeRdkafka(
      { config: { 'metadata.broker.list': '127.0.0.1:1', 'group.id': 'g' } },
      { connectTimeoutMs: 1000, logger: noopLogger },
    )
    const error = await consumer.run({ topics: ['t'], handler: () => undefined }).then(() => 'resolved', (e: unknown) => e)
    expect(error).toBeInstanceOf(ClientError)
    expect((error as ClientError).code).toBe('BROKER_UNREACHABLE')
    await expect(consumer.close()).resolves.toBeUndefined()
  })
})
