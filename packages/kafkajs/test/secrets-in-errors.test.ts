// No secret may show in an error, its cause chain, JSON or inspection. kafkajs takes its sasl
// block at `new Kafka()`; offsetkit sees the consumer and its own options, where a misplaced
// config (or its sasl block) must be named, never printed.
import { Kafka, logLevel } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '@offsetkit/commit-core'
import { secretLeaks } from '@offsetkit/broker'
import { offsetkitKafkajs, type KafkajsOffsetkitOptions } from '../src/index.js'

const SECRET = 'hunter2-SECRET'
const sasl = { mechanism: 'plain', username: 'bob', password: SECRET } as const
const kafkaConfig = { clientId: 'c', brokers: ['127.0.0.1:1'], sasl, logLevel: logLevel.NOTHING }
const kafka = new Kafka(kafkaConfig)

function rejected(consumer: unknown, options: unknown = {}): ConfigError {
  try {
    offsetkitKafkajs(consumer as never, options as KafkajsOffsetkitOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    expect(secretLeaks(error, SECRET)).toEqual([])
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('offsetkitKafkajs option checks keep secrets out', () => {
  it('a bad option on a consumer built with a sasl block', () => {
    const consumer = kafka.consumer({ groupId: 'g' })
    expect(rejected(consumer, { fromBeginning: 'yes' }).option).toBe('fromBeginning')
    expect(rejected(consumer, { commit: { evry: 10 } }).option).toBe('commit.evry')
  })

  it('the Kafka config passed where the Kafka instance belongs (option kafka) is named, never printed', () => {
    const consumer = kafka.consumer({ groupId: 'g' })
    expect(() => offsetkitKafkajs(consumer, { kafka })).not.toThrow()
    const error = rejected(kafka.consumer({ groupId: 'g' }), { kafka: kafkaConfig })
    expect(error.option).toBe('kafka')
    expect(error.message).toMatch(/the kafkajs Kafka instance/)
  })

  it('the Kafka config passed where the consumer belongs is shown redacted', () => {
    const error = rejected({ ...kafkaConfig, groupId: 'g' })
    expect(error.option).toBe('consumer')
    expect(error.value).toMatchObject({ clientId: 'c', sasl: '[redacted]' })
  })

  it('a sasl block among the offsetkit options is named, never shown', () => {
    const error = rejected(kafka.consumer({ groupId: 'g' }), { sasl })
    expect(error.option).toBe('options.sasl')
    expect(error.message).toContain('value not shown')
  })

  it('a config passed as the dead-letter producer is not dumped', () => {
    const error = rejected(kafka.consumer({ groupId: 'g' }), { deadLetter: { producer: { ...kafkaConfig } } })
    expect(error.option).toBe('deadLetter.producer')
  })
})
