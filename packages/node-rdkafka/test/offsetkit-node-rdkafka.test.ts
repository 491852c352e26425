// Bad input is rejected when offsetkitNodeRdkafka() is called: nothing connects (the broker
// address below is unreachable, and the calls throw synchronously).
import Kafka from 'node-rdkafka'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '@offsetkit/commit-core'
import { offsetkitNodeRdkafka, type NodeRdkafkaOffsetkitOptions } from '../src/index.js'
import { resolveNodeRdkafkaConfig } from '../src/resolve-node-rdkafka-config.js'

const base = { 'metadata.broker.list': '127.0.0.1:1', 'group.id': 'g' }

function rejected(config: Record<string, unknown>, options: NodeRdkafkaOffsetkitOptions = {}, topicConfig?: Record<string, unknown>): ConfigError {
  try {
    offsetkitNodeRdkafka({ config: config as never, ...(topicConfig && { topicConfig: topicConfig as never }) }, options)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('offsetkitNodeRdkafka option checks (before connecting)', () => {
  it.each([
    ['config', null],
    ['config["group.id"]', { 'metadata.broker.list': '127.0.0.1:1' }],
    ['config["metadata.broker.list"]', { 'group.id': 'g' }],
    ['config.rebalance_cb', { ...base, rebalance_cb: true }],
    ['config.offset_commit_cb', { ...base, offset_commit_cb: () => undefined }],
    ['config["enable.auto.offset.store"]', { ...base, 'enable.auto.offset.store': true }],
    ['config["enable.auto.commit"]', { ...base, 'enable.auto.commit': true }],
    // librdkafka's own rejection, named by the offending key (never the whole config)
    ['config["no.such.property"]', { ...base, 'no.such.property': 1 }],
  ])('rejects %s', (option, config) => {
    expect(rejected(config as Record<string, unknown>).option).toBe(option)
  })

  it("rejects enable.auto.commit: false with commit: 'auto' (auto commit is librdkafka's)", () => {
    expect(rejected({ ...base, 'enable.auto.commit': false }, { commit: 'auto' }).option).toBe('config["enable.auto.commit"]')
  })

  it('rejects a topic config that is not an object', () => {
    expect(rejected(base, {}, 'earliest' as never).option).toBe('topicConfig')
  })

  it.each([
    ['batchSize', { batchSize: 0 }],
    ['consumeTimeoutMs', { consumeTimeoutMs: 1.5 }],
    ['commit', { commit: 'sometimes' as never }],
    ['failure.then', { failure: { then: 'dead-letter' } }],
    ['deadLetter.producer', { deadLetter: { producer: {} as never } }],
    ['deadLetter.topic', { deadLetter: { producer: new Kafka.Producer({ ...base, dr_cb: true }), topic: '' } }],
  ] as Array<[string, NodeRdkafkaOffsetkitOptions]>)('rejects %s', (option, options) => {
    expect(rejected(base, options).option).toBe(option)
  })

  it('rejects a dead-letter producer without delivery reports (dead letters would never be acknowledged)', () => {
    const producer = new Kafka.Producer({ 'metadata.broker.list': '127.0.0.1:1' })
    expect(rejected(base, { deadLetter: { producer } }).option).toBe('deadLetter.producer')
  })

  it('defaults fetch.queue.backoff.ms to 10 (librdkafka: 1000), and keeps the value given', () => {
    expect(resolveNodeRdkafkaConfig(base, undefined, false).global['fetch.queue.backoff.ms']).toBe(10)
    expect(resolveNodeRdkafkaConfig({ ...base, 'fetch.queue.backoff.ms': 500 }, undefined, false).global['fetch.queue.backoff.ms']).toBe(500)
  })

  it('accepts a valid configuration without connecting', () => {
    const consumer = offsetkitNodeRdkafka({ config: base }, { commit: 'auto' })
    expect(consumer.stats().partitions).toEqual([])
  })
})
