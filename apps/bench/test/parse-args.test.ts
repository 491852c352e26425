import { describe, expect, it } from 'vitest'
import { parseCommand, type ConsumeCommand } from '../src/parse-args.js'
import { formatCommitPolicy, parseCommitPolicy } from '../src/parse-commit-policy.js'
import { UsageError } from '../src/usage-error.js'

function usageError(argv: string[]): UsageError {
  try {
    parseCommand(argv)
  } catch (error) {
    if (error instanceof UsageError) return error
    throw error
  }
  throw new Error(`no usage error for ${argv.join(' ')}`)
}

const consume = ['consume', '--topic', 't', '--group', 'g', '--client', 'kafkajs', '--commit', 'every:100']

describe('parseCommitPolicy', () => {
  it.each([
    ['per-message', 'per-message'],
    ['per-message-async', 'per-message-async'],
    ['auto', 'auto'],
    ['none', 'none'],
    ['every:10', { every: 10 }],
    ['interval:250', { interval: 250 }],
    ['every:1000,interval:1000', { every: 1000, interval: 1000 }],
    ['interval:5,every:7', { every: 7, interval: 5 }],
  ])('%s', (text, expected) => {
    expect(parseCommitPolicy(text)).toEqual(expected)
  })

  it.each(['', 'batch', 'manual', 'every', 'every:', 'every:0', 'every:-1', 'every:1.5', 'every:x', 'every:1,every:2', 'every:1,interval:2,every:3', 'often:5', 'every:1:2'])(
    'rejects %j naming --commit and the accepted values',
    (text) => {
      const error = (() => {
        try {
          parseCommitPolicy(text)
        } catch (e) {
          return e as UsageError
        }
        throw new Error('accepted')
      })()
      expect(error).toBeInstanceOf(UsageError)
      expect(error.flag).toBe('--commit')
      expect(error.message).toContain('every:N,interval:MS')
    },
  )

  it('formats back to the flag text', () => {
    for (const text of ['none', 'per-message', 'every:10', 'interval:100', 'every:1000,interval:1000']) expect(formatCommitPolicy(parseCommitPolicy(text))).toBe(text)
  })
})

describe('parseCommand', () => {
  it('parses produce', () => {
    expect(parseCommand(['produce', '--topic', 't', '--partitions', '4', '--messages', '1000', '--size', '200', '--transactional'])).toEqual({
      command: 'produce', brokers: undefined, topic: 't', partitions: 4, messages: 1000, size: 200, transactional: true,
    })
  })

  it('parses consume with defaults and every flag', () => {
    const plain = parseCommand(consume) as ConsumeCommand
    expect(plain).toMatchObject({ client: 'kafkajs', commit: { every: 100 }, ordering: 'partition', workMs: 0, concurrency: undefined, record: undefined, exitWhenIdleMs: undefined })
    const full = parseCommand([...consume, '--brokers', 'h:1,k:2', '--ordering', 'unordered', '--concurrency', '64', '--work-ms', '10', '--record', 'out.txt', '--exit-when-idle', '2000'])
    expect(full).toMatchObject({ brokers: 'h:1,k:2', ordering: 'unordered', concurrency: 64, workMs: 10, record: 'out.txt', exitWhenIdleMs: 2000 })
  })

  it('parses bench and report', () => {
    expect(parseCommand(['bench'])).toMatchObject({ command: 'bench', quick: false, clients: ['kafkajs', 'confluent', 'node-rdkafka'], arms: undefined, out: undefined })
    expect(parseCommand(['bench', '--quick', '--clients', 'node-rdkafka,kafkajs', '--out', 'd', '--runs', '2', '--seed', '7', '--records', '2000000'])).toMatchObject({
      quick: true, clients: ['node-rdkafka', 'kafkajs'], out: 'd', runs: 2, seed: 7, records: 2_000_000,
    })
    expect(parseCommand(['report', 'dir'])).toEqual({ command: 'report', dir: 'dir' })
    expect(parseCommand([])).toEqual({ command: 'help' })
  })

  it.each([
    [['frobnicate'], 'command', 'produce, consume, bench, report'],
    [['consume', '--topic', 't', '--group', 'g', '--client', 'kafka', '--commit', 'none'], '--client', 'kafkajs, confluent, node-rdkafka'],
    [['bench', '--clients', 'kafkajs,rdkafka'], '--clients', 'kafkajs, confluent, node-rdkafka'],
    [['bench', '--clients', 'kafkajs,kafkajs'], '--clients', 'subset'],
    [[...consume.slice(0, -1), 'every:0'], '--commit', 'every:N'],
    [[...consume, '--ordering', 'random'], '--ordering', 'partition, key, unordered'],
    [[...consume, '--concurrency', '0'], '--concurrency', 'an integer from 1'],
    [[...consume, '--work-ms', '-5'], '--work-ms', 'an integer from 0'],
    [[...consume, '--exit-when-idle', 'soon'], '--exit-when-idle', 'an integer from 1'],
    [['produce', '--topic', 't', '--partitions', '0', '--messages', '1', '--size', '1'], '--partitions', 'an integer from 1'],
    [['produce', '--topic', 't', '--partitions', '1', '--messages', '-3', '--size', '1'], '--messages', 'an integer from 1'],
    [['produce', '--topic', 't', '--partitions', '1', '--messages', '3'], '--size', 'required'],
    [['produce', '--topic', 't', '--partitions', '1', '--messages', '3', '--size', '1', '--brokers', 'nohost'], '--brokers', 'host:port'],
    [['bench', '--runs', '0'], '--runs', 'an integer from 1'],
    [['bench', '--records', '10'], '--records', 'an integer from 1000'],
    [['bench', '--arms', 'java,tx,fast'], '--arms', 'tx every:100'],
    [['bench', '--fast'], '--fast', '--quick'],
    [['report'], 'DIR', 'exactly one'],
  ])('%j is a usage error naming %s', (argv, flag, accepted) => {
    const error = usageError(argv)
    expect(error.flag).toBe(flag)
    expect(error.message).toContain(accepted)
  })

  it('rejects auto on kafkajs and confluent with the reason, but not on node-rdkafka', () => {
    for (const client of ['kafkajs', 'confluent']) {
      const error = usageError(['consume', '--topic', 't', '--group', 'g', '--client', client, '--commit', 'auto'])
      expect(error.flag).toBe('--commit')
      expect(error.message).toMatch(/not supported by offsetkit on .*\(.+\)/)
    }
    expect(parseCommand(['consume', '--topic', 't', '--group', 'g', '--client', 'node-rdkafka', '--commit', 'auto'])).toMatchObject({ commit: 'auto' })
  })
})
