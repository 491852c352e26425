// Regression: a typo in a node-rdkafka config printed the whole config, sasl.password included,
// in the ConfigError message. No secret may show in an error, its cause chain, JSON or inspection.
import Kafka from 'node-rdkafka'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '@offsetkit/commit-core'
import { secretLeaks } from '@offsetkit/broker'
import { offsetkitNodeRdkafka, type NodeRdkafkaOffsetkitOptions } from '../src/index.js'

const SECRET = 'hunter2-SECRET'
const base = { 'metadata.broker.list': '127.0.0.1:1', 'group.id': 'g', 'sasl.username': 'bob', 'sasl.password': SECRET }

function rejected(config: unknown, options: NodeRdkafkaOffsetkitOptions = {}, topicConfig?: unknown): ConfigError {
  try {
    offsetkitNodeRdkafka({ config: config as never, ...(topicConfig !== undefined && { topicConfig: topicConfig as never }) }, options)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    expect(secretLeaks(error, SECRET)).toEqual([])
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('node-rdkafka config errors keep secrets out', () => {
  it('a typo librdkafka rejects is named by its key alone', () => {
    const error = rejected({ ...base, 'sesion.timeout.ms': 6000 })
    expect(error.option).toBe('config["sesion.timeout.ms"]')
    expect(error.value).toBe(6000)
    expect(error.message).toContain('No such configuration property: "sesion.timeout.ms"')
    expect(error.message).not.toContain('sasl')
    // The client's own error stays available as cause, scrubbed.
    expect(error.cause).toBeInstanceOf(Error)
  })

  it('a value librdkafka echoes in its message is scrubbed from message and cause', () => {
    // librdkafka: Invalid value "<value>" for configuration property "security.protocol"
    const error = rejected({ ...base, 'security.protocol': SECRET })
    expect(error.option).toBe('config["security.protocol"]')
    expect((error.cause as Error).message).toContain('for configuration property "security.protocol"')
  })

  it('a bad value offsetkit checks, next to a secret', () => {
    expect(rejected({ ...base, 'enable.auto.offset.store': 'yes' }).option).toBe('config["enable.auto.offset.store"]')
    expect(rejected({ ...base, 'enable.auto.commit': SECRET }).option).toBe('config["enable.auto.commit"]')
    expect(rejected({ ...base, 'group.id': '' }).option).toBe('config["group.id"]')
  })

  it('a typo in the secret-looking key itself shows no value', () => {
    const error = rejected({ ...base, 'sasl.password': undefined, 'sasl.passwrd': SECRET })
    expect(error.option).toBe('config["sasl.passwrd"]')
    expect(error.message).toContain('value not shown')
  })

  it('a topic config typo next to a global secret', () => {
    expect(rejected(base, {}, { 'auto.ofset.reset': 'earliest' }).option).toBe('topicConfig["auto.ofset.reset"]')
  })

  it('a config that is not an object is not printed', () => {
    const error = rejected(`metadata.broker.list=127.0.0.1:1 sasl.password=${SECRET}`)
    expect(error.message).toContain('got a string (not shown)')
    expect(rejected(base, {}, `sasl.password=${SECRET}`).option).toBe('topicConfig')
  })

  it('a dead-letter producer of the wrong kind is named by its class, not dumped with its config', () => {
    const consumer = new Kafka.KafkaConsumer({ ...base }, {})
    const error = rejected(base, { deadLetter: { producer: consumer as never } })
    expect(error.option).toBe('deadLetter.producer')
    expect(error.message).toContain('got a KafkaConsumer (not shown)')
    const withoutReports = new Kafka.Producer({ 'metadata.broker.list': '127.0.0.1:1', 'sasl.password': SECRET })
    expect(rejected(base, { deadLetter: { producer: withoutReports } }).option).toBe('deadLetter.producer')
  })

  it('offsetkit options in the wrong place: a sasl block is named, never shown', () => {
    const error = rejected(base, { sasl: { mechanism: 'plain', username: 'bob', password: SECRET } } as never)
    expect(error.option).toBe('options.sasl')
  })
})
