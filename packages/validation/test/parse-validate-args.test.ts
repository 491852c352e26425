import { describe, expect, it } from 'vitest'
import { consumerArgv, parseConsumerArgs } from '../src/consumer-args.js'
import { parseValidateArgs } from '../src/parse-validate-args.js'
import { SCENARIOS } from '../src/scenarios.js'
import { UsageError } from '../src/usage-error.js'

function usageFlag(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (error instanceof UsageError) return error.flag
    throw error
  }
  throw new Error('no UsageError')
}

describe('parseValidateArgs', () => {
  it('defaults to the full matrix: every scenario, client and protocol', () => {
    const command = parseValidateArgs([])
    expect(command.scenarios).toEqual(SCENARIOS.map((s) => s.id))
    expect(command.clients).toEqual(['kafkajs', 'confluent', 'node-rdkafka'])
    expect(command.protocols).toEqual(['classic', 'consumer'])
    expect(command).toMatchObject({ quick: false, durationMs: 20_000, consumers: 3, brokers: undefined, out: undefined })
  })

  it('--quick runs each quick scenario once per client, classic protocol, short', () => {
    const command = parseValidateArgs(['--quick'])
    expect(command.scenarios).toEqual(SCENARIOS.filter((s) => s.quick).map((s) => s.id))
    expect(new Set(SCENARIOS.filter((s) => s.quick).map((s) => s.family))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]))
    expect(command.protocols).toEqual(['classic'])
    expect(command.durationMs).toBe(5000)
  })

  it('takes scenario ids and families, clients, protocols and numbers', () => {
    const command = parseValidateArgs(['--scenario', '9,zombie-member', '--client', 'confluent', '--protocol', 'consumer', '--duration', '7', '--consumers', '4', '--brokers', '3', '--out', 'x'])
    expect(command.scenarios).toEqual(['backlog-starvation-1', 'backlog-starvation-3', 'backlog-starvation-4', 'backlog-starvation-12', 'zombie-member'])
    expect(command).toMatchObject({ clients: ['confluent'], protocols: ['consumer'], durationMs: 7000, consumers: 4, brokers: 3, out: 'x' })
  })

  it.each([
    [['--scenario', 'nope'], '--scenario'],
    [['--client', 'kafka'], '--client'],
    [['--protocol', 'cooperative'], '--protocol'],
    [['--duration', '0'], '--duration'],
    [['--duration', '1.5'], '--duration'],
    [['--consumers', '1'], '--consumers'],
    [['--brokers', '2'], '--brokers'],
    [['--wat'], 'flags'],
    [['extra'], 'flags'],
  ])('%j is a usage error naming %s', (argv, flag) => {
    expect(usageFlag(() => parseValidateArgs(argv))).toBe(flag)
  })
})

describe('parseConsumerArgs', () => {
  const base = ['--client', 'node-rdkafka', '--bootstrap', 'h:1', '--group', 'g', '--topic', 't', '--record', 'f']

  it('round-trips through consumerArgv', () => {
    const args = parseConsumerArgs([...base, '--protocol', 'consumer', '--commit', 'every:10,interval:500', '--work-ms', '0', '--instance-id', 'm1', '--session-timeout', '30000'])
    expect(args).toMatchObject({ client: 'node-rdkafka', protocol: 'consumer', commit: { every: 10, interval: 500 }, workMs: 0, instanceId: 'm1', sessionTimeoutMs: 30_000 })
    expect(parseConsumerArgs(consumerArgv(args))).toEqual(args)
  })

  it('defaults: classic, every:100, 1 ms of work, 6 s session', () => {
    expect(parseConsumerArgs(base)).toMatchObject({ protocol: 'classic', commit: { every: 100 }, workMs: 1, sessionTimeoutMs: 6000, instanceId: undefined })
  })

  it.each([
    [['--client', 'kafkajs', '--protocol', 'consumer'], '--protocol'],
    [['--client', 'kafkajs', '--instance-id', 'm'], '--instance-id'],
    [['--commit', 'every:0'], '--commit'],
    [['--commit', 'every:1,every:2'], '--commit'],
    [['--work-ms', '1.5'], '--work-ms'],
    [['--session-timeout', '10'], '--session-timeout'],
  ])('%j is a usage error naming %s', (extra, flag) => {
    expect(usageFlag(() => parseConsumerArgs([...base, ...extra]))).toBe(flag)
  })

  it('names a missing required flag', () => {
    expect(usageFlag(() => parseConsumerArgs(['--client', 'confluent']))).toBe('--bootstrap')
  })
})
