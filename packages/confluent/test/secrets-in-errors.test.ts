// No secret may show in an error, its cause chain, JSON or inspection: neither in offsetkit's own
// config checks nor in what the client says when connect() rejects the config (it echoes values).
import { KafkaJS } from '@confluentinc/kafka-javascript'
import { describe, expect, it } from 'vitest'
import { ClientError, ConfigError } from '@offsetkit/commit-core'
import { secretLeaks } from '@offsetkit/broker'
import { offsetkitConfluent } from '../src/index.js'
import { confluentStartError } from '../src/confluent-start-error.js'

const SECRET = 'hunter2-SECRET'
const sasl = { mechanism: 'plain', username: 'bob', password: SECRET } as const
const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: ['127.0.0.1:1'], sasl, logLevel: KafkaJS.logLevel.NOTHING } })

function rejected(config: unknown): ConfigError {
  try {
    offsetkitConfluent(kafka, config as KafkaJS.ConsumerConstructorConfig)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    expect(secretLeaks(error, SECRET)).toEqual([])
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

/** What connect() rejects with for `config` (config errors come before any network I/O). */
async function connectError(config: object, client = kafka): Promise<unknown> {
  const consumer = client.consumer(config as KafkaJS.ConsumerConstructorConfig)
  const thrown = await consumer.connect().then(() => undefined, (error: unknown) => error)
  expect(thrown).toBeInstanceOf(Error)
  return thrown
}

describe('offsetkitConfluent config checks keep secrets out', () => {
  it.each([
    ["config['enable.auto.commit']", { 'group.id': 'g', 'sasl.password': SECRET, 'enable.auto.commit': 'yes' }],
    ["config['js.consumer.max.batch.size']", { 'group.id': 'g', 'sasl.password': SECRET, 'js.consumer.max.batch.size': SECRET }],
    ['config.kafkaJS.autoCommitInterval', { kafkaJS: { groupId: 'g', sasl, autoCommitInterval: 100 } }],
    ['config.kafkaJS.autoCommit', { kafkaJS: { groupId: 'g', sasl, autoCommit: SECRET } }],
    ["config['group.id']", { 'group.id': '', 'sasl.password': SECRET }],
  ])('names %s only', (option, config) => {
    expect(rejected(config).option).toBe(option)
  })

  it('never prints a config that is not an object', () => {
    expect(rejected(`sasl.password=${SECRET}`).message).toContain('got a string (not shown)')
    expect(rejected({ 'sasl.password': SECRET, kafkaJS: `password=${SECRET}` }).message).toContain('got a string (not shown)')
  })
})

describe('confluentStartError', () => {
  const top = { 'group.id': 'g', 'bootstrap.servers': '127.0.0.1:1', 'sasl.username': 'bob', 'sasl.password': SECRET }

  it('a typo librdkafka rejects becomes a ConfigError naming the key', async () => {
    const config = { ...top, 'sesion.timeout.ms': 6000 }
    const error = confluentStartError(await connectError(config), config)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).option).toBe('config["sesion.timeout.ms"]')
    expect(secretLeaks(error, SECRET)).toEqual([])
  })

  it('a value the client echoes is scrubbed from the error and its cause', async () => {
    const config = { ...top, 'security.protocol': SECRET }
    const thrown = await connectError(config)
    expect(secretLeaks(thrown, SECRET)).not.toEqual([]) // the client itself does leak it
    const error = confluentStartError(thrown, config)
    expect((error as ConfigError).option).toBe('config["security.protocol"]')
    expect(secretLeaks(error, SECRET)).toEqual([])
  })

  it('a secret-looking key the client rejects is named without its value', async () => {
    const config = { ...top, 'sasl.mechanisms': SECRET, 'security.protocol': 'sasl_plaintext' }
    const thrown = await connectError(config) // "Unsupported SASL mechanism: <value>"
    expect(secretLeaks(thrown, SECRET)).not.toEqual([])
    const error = confluentStartError(thrown, config)
    expect(error).toBeInstanceOf(Error)
    expect(secretLeaks(error, SECRET)).toEqual([])
  })

  it("a typo in the KafkaJS block, with the Kafka instance's sasl block", async () => {
    const config = { kafkaJS: { groupId: 'g', sesionTimeout: 6000 } }
    const error = confluentStartError(await connectError(config), config)
    expect((error as ConfigError).option).toBe('config.kafkaJS["sesionTimeout"]')
    expect(secretLeaks(error, SECRET)).toEqual([])
  })

  it('anything else becomes a ClientError by librdkafka code, the client error kept as cause', () => {
    // What the KafkaJS API rejects connect() with when nothing listens: the code is lost (-1).
    const thrown = Object.assign(new Error('broker transport failure'), { code: -1 })
    const error = confluentStartError(thrown, top) as ClientError
    expect(error).toBeInstanceOf(ClientError)
    expect(error.code).toBe('BROKER_UNREACHABLE')
    expect(error.cause).toBe(thrown)
    expect((confluentStartError(Object.assign(new Error('x'), { code: 58 }), null) as ClientError).code).toBe('AUTHENTICATION')
    expect((confluentStartError(Object.assign(new Error('x'), { code: 29 }), null) as ClientError).code).toBe('AUTHORIZATION')
    expect((confluentStartError(new Error('something else'), null) as ClientError).code).toBe('CLIENT_FAILED')
  })

  it('a librdkafka property typo is a ConfigError at construction, before anything connects', () => {
    expect(rejected({ ...top, 'sesion.timeout.ms': 6000 }).option).toBe('config["sesion.timeout.ms"]')
    expect(rejected({ ...top, kafkaJS: { groupId: 'g' }, 'security.protocol': SECRET }).option).toBe('config["security.protocol"]')
    expect(rejected({ ...top, 'sasl.mechanisms': 'PLAIN', 'fetch.wait.max.ms': 'soon' }).option).toBe('config["fetch.wait.max.ms"]')
  })
})
