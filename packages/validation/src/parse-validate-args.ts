import { parseArgs } from 'node:util'
import { CLIENTS, PROTOCOLS, type ClientName, type GroupProtocol } from './consumer-args.js'
import { SCENARIOS } from './scenarios.js'
import { UsageError } from './usage-error.js'

export const USAGE = `usage: offsetkit-validate [--scenario ID[,ID…]|FAMILY|all] [--client kafkajs,confluent,node-rdkafka|all]
                          [--protocol classic,consumer|all] [--duration SECONDS] [--consumers N] [--brokers 1|3]
                          [--quick] [--out DIR]
scenarios: ${SCENARIOS.map((s) => s.id).join(', ')} (FAMILY: 1-9)`

export interface ValidateCommand {
  readonly help: boolean
  readonly scenarios: readonly string[]
  readonly clients: readonly ClientName[]
  readonly protocols: readonly GroupProtocol[]
  readonly durationMs: number
  readonly consumers: number
  /** Run the single-node scenarios on this many nodes; 1 skips the 3-node scenarios. */
  readonly brokers: 1 | 3 | undefined
  readonly quick: boolean
  readonly out: string | undefined
}

function list<T extends string>(flag: string, text: string | undefined, accepted: readonly T[], fallback: readonly T[]): T[] {
  if (text === undefined || text === 'all') return [...fallback]
  const items = text.split(',')
  for (const item of items) if (!(accepted as readonly string[]).includes(item)) throw UsageError.invalid(flag, text, `all or a comma-separated list of ${accepted.join(', ')}`)
  return [...new Set(items as T[])]
}

function integer(flag: string, text: string | undefined, min: number, max: number, fallback: number): number {
  if (text === undefined) return fallback
  if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > max) throw UsageError.invalid(flag, text, `an integer from ${min} to ${max}`)
  return Number(text)
}

/** The CLI's flags; every problem is a UsageError naming the flag, before anything connects. */
export function parseValidateArgs(argv: readonly string[]): ValidateCommand {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        scenario: { type: 'string' }, client: { type: 'string' }, protocol: { type: 'string' }, duration: { type: 'string' },
        consumers: { type: 'string' }, brokers: { type: 'string' }, quick: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean' },
      },
    }))
  } catch (error) {
    throw new UsageError('flags', (error as Error).message)
  }
  const quick = values.quick === true
  const ids = SCENARIOS.map((s) => s.id)
  const scenarioText = values.scenario as string | undefined
  let scenarios: string[]
  if (scenarioText === undefined || scenarioText === 'all') {
    scenarios = quick ? SCENARIOS.filter((s) => s.quick).map((s) => s.id) : ids
  } else {
    scenarios = []
    for (const item of scenarioText.split(',')) {
      const family = /^[1-9]$/.test(item) ? SCENARIOS.filter((s) => s.family === Number(item) && (!quick || s.quick)).map((s) => s.id) : []
      if (family.length > 0) scenarios.push(...family)
      else if (ids.includes(item)) scenarios.push(item)
      else throw UsageError.invalid('--scenario', scenarioText, `all, a family 1-9, or a comma-separated list of ${ids.join(', ')}`)
    }
    scenarios = [...new Set(scenarios)]
  }
  const brokersText = values.brokers as string | undefined
  if (brokersText !== undefined && brokersText !== '1' && brokersText !== '3') throw UsageError.invalid('--brokers', brokersText, '1 or 3')
  return {
    help: values.help === true,
    scenarios,
    clients: list('--client', values.client as string | undefined, CLIENTS, CLIENTS),
    // --quick runs every scenario once per client: the classic protocol unless one is asked for.
    protocols: list('--protocol', values.protocol as string | undefined, PROTOCOLS, quick ? ['classic'] : PROTOCOLS),
    durationMs: integer('--duration', values.duration as string | undefined, 1, 3600, quick ? 5 : 20) * 1000,
    consumers: integer('--consumers', values.consumers as string | undefined, 2, 12, 3),
    brokers: brokersText === undefined ? undefined : (Number(brokersText) as 1 | 3),
    quick,
    out: values.out as string | undefined,
  }
}
