import type { CommitPolicyOption, Ordering } from '@offsetkit/commit-core'
import { parseArgs } from 'node:util'
import { AUTO_UNSUPPORTED, CLIENTS, type ClientName } from './bench-clients.js'
import { formatCommitPolicy, parseCommitPolicy } from './parse-commit-policy.js'
import { ARM_GROUPS, selectArms } from './select-arms.js'
import { UsageError } from './usage-error.js'

export { AUTO_UNSUPPORTED, CLIENTS, type ClientName } from './bench-clients.js'
export const COMMANDS = ['produce', 'consume', 'bench', 'report', 'help'] as const
const ORDERINGS = ['partition', 'key', 'unordered'] as const

export const USAGE = `usage:
  offsetkit-bench produce --topic T --partitions P --messages N --size BYTES [--transactional] [--brokers B]
  offsetkit-bench consume --topic T --group G --client kafkajs|confluent|node-rdkafka --commit POLICY
                          [--ordering partition|key|unordered] [--concurrency C] [--work-ms MS]
                          [--record FILE] [--exit-when-idle MS] [--brokers B]
  offsetkit-bench bench [--quick] [--clients kafkajs,confluent,node-rdkafka] [--arms ARMS] [--out DIR] [--runs N] [--records N] [--seed N] [--brokers B]
  offsetkit-bench report DIR
POLICY: per-message | per-message-async | every:N | interval:MS | every:N,interval:MS | auto | none
ARMS: comma-separated arm ids (java, none, every:1000, tx every:100, raw none, …) or groups (${Object.keys(ARM_GROUPS).join(', ')})
Without --brokers a local broker is started through @offsetkit/broker.`

export interface ProduceCommand {
  readonly command: 'produce'
  readonly brokers: string | undefined
  readonly topic: string
  readonly partitions: number
  readonly messages: number
  readonly size: number
  readonly transactional: boolean
}

export interface ConsumeCommand {
  readonly command: 'consume'
  readonly brokers: string | undefined
  readonly topic: string
  readonly group: string
  readonly client: ClientName
  readonly commit: CommitPolicyOption
  readonly commitText: string
  readonly ordering: Ordering
  readonly concurrency: number | undefined
  readonly workMs: number
  readonly record: string | undefined
  readonly exitWhenIdleMs: number | undefined
}

export interface BenchCommand {
  readonly command: 'bench'
  readonly brokers: string | undefined
  readonly quick: boolean
  readonly clients: readonly ClientName[]
  /** Arm ids to run, in display order; undefined = every arm. */
  readonly arms: readonly string[] | undefined
  readonly out: string | undefined
  readonly runs: number | undefined
  readonly seed: number | undefined
  /** Timed records on the main topic (default 600,000; --quick 200,000). */
  readonly records: number | undefined
}

export interface ReportCommand {
  readonly command: 'report'
  readonly dir: string
}

export type Command = ProduceCommand | ConsumeCommand | BenchCommand | ReportCommand | { readonly command: 'help' }

type Spec = Record<string, { type: 'string' | 'boolean' }>

const SPECS = {
  produce: {
    brokers: { type: 'string' }, topic: { type: 'string' }, partitions: { type: 'string' }, messages: { type: 'string' },
    size: { type: 'string' }, transactional: { type: 'boolean' },
  },
  consume: {
    brokers: { type: 'string' }, topic: { type: 'string' }, group: { type: 'string' }, client: { type: 'string' },
    commit: { type: 'string' }, ordering: { type: 'string' }, concurrency: { type: 'string' }, 'work-ms': { type: 'string' },
    record: { type: 'string' }, 'exit-when-idle': { type: 'string' },
  },
  bench: {
    brokers: { type: 'string' }, quick: { type: 'boolean' }, clients: { type: 'string' }, arms: { type: 'string' }, out: { type: 'string' },
    runs: { type: 'string' }, seed: { type: 'string' }, records: { type: 'string' },
  },
  report: {},
} as const satisfies Record<string, Spec>

type Values = Record<string, string | boolean | undefined>

function parseFlags(command: keyof typeof SPECS, args: readonly string[]): { values: Values; positionals: string[] } {
  const spec: Spec = SPECS[command]
  const known = Object.keys(spec).map((name) => `--${name}`).join(', ') || 'none'
  // `--messages -3` should reach the range check ("non-positive"), not parseArgs' "ambiguous".
  const joined: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    const value = args[i + 1]
    if (spec[arg.slice(2)]?.type === 'string' && value !== undefined && /^-[0-9.]/.test(value)) {
      joined.push(`${arg}=${value}`)
      i++
    } else joined.push(arg)
  }
  try {
    const { values, positionals } = parseArgs({ args: joined, options: spec, strict: true, allowPositionals: command === 'report' })
    return { values: values as Values, positionals }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '(flags)'
    throw new UsageError(flag, `${command}: ${message.replace(/\. To specify a positional.*$/s, '')}; ${command} accepts ${known}`)
  }
}

function required(values: Values, name: string): string {
  const value = values[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name}`, `--${name} is required`)
  return value
}

function optional(values: Values, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

/** A decimal integer within [min, max]; non-positive counts are usage errors. */
export function parseInteger(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^-?[0-9]+$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw UsageError.invalid(flag, text, `an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'any' : max}`)
  }
  return value
}

function optionalInteger(values: Values, name: string, min: number, max?: number): number | undefined {
  const text = optional(values, name)
  return text === undefined ? undefined : parseInteger(`--${name}`, text, min, max)
}

export function parseClient(text: string, flag = '--client'): ClientName {
  if (!(CLIENTS as readonly string[]).includes(text)) throw UsageError.invalid(flag, text, CLIENTS.join(', '))
  return text as ClientName
}

function parseBrokers(values: Values): string | undefined {
  const brokers = optional(values, 'brokers')
  if (brokers !== undefined && !/^[^,\s:]+:[0-9]+(,[^,\s:]+:[0-9]+)*$/.test(brokers)) {
    throw UsageError.invalid('--brokers', brokers, 'host:port[,host:port…]')
  }
  return brokers
}

/** argv without the node and script entries → a checked command. Throws UsageError. */
export function parseCommand(argv: readonly string[]): Command {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return { command: 'help' }
  if (!(COMMANDS as readonly string[]).includes(name)) throw UsageError.invalid('command', name, COMMANDS.join(', '))
  const command = name as keyof typeof SPECS
  const { values, positionals } = parseFlags(command, rest)

  if (command === 'produce') {
    return {
      command,
      brokers: parseBrokers(values),
      topic: required(values, 'topic'),
      partitions: parseInteger('--partitions', required(values, 'partitions'), 1, 10_000),
      messages: parseInteger('--messages', required(values, 'messages'), 1),
      size: parseInteger('--size', required(values, 'size'), 1, 1_000_000),
      transactional: values.transactional === true,
    }
  }
  if (command === 'consume') {
    const client = parseClient(required(values, 'client'))
    const commitText = required(values, 'commit')
    const commit = parseCommitPolicy(commitText)
    const reason = AUTO_UNSUPPORTED[client]
    if (commit === 'auto' && reason !== undefined) {
      throw new UsageError('--commit', `--commit: "auto" is not supported by offsetkit on ${client} (${reason}); accepted: any other policy`)
    }
    const orderingText = optional(values, 'ordering') ?? 'partition'
    if (!(ORDERINGS as readonly string[]).includes(orderingText)) throw UsageError.invalid('--ordering', orderingText, ORDERINGS.join(', '))
    return {
      command,
      brokers: parseBrokers(values),
      topic: required(values, 'topic'),
      group: required(values, 'group'),
      client,
      commit,
      commitText: formatCommitPolicy(commit),
      ordering: orderingText as Ordering,
      concurrency: optionalInteger(values, 'concurrency', 1, 10_000),
      workMs: optionalInteger(values, 'work-ms', 0, 60_000) ?? 0,
      record: optional(values, 'record'),
      exitWhenIdleMs: optionalInteger(values, 'exit-when-idle', 1),
    }
  }
  if (command === 'bench') {
    const clientsText = optional(values, 'clients')
    const clients = clientsText === undefined ? [...CLIENTS] : clientsText.split(',').map((c) => parseClient(c.trim(), '--clients'))
    if (clients.length === 0 || new Set(clients).size !== clients.length) throw UsageError.invalid('--clients', clientsText, `a comma-separated subset of ${CLIENTS.join(', ')}`)
    const armsText = optional(values, 'arms')
    return {
      command,
      brokers: parseBrokers(values),
      quick: values.quick === true,
      clients,
      arms: armsText === undefined ? undefined : selectArms(armsText).map((a) => a.id),
      out: optional(values, 'out'),
      runs: optionalInteger(values, 'runs', 1, 100),
      seed: optionalInteger(values, 'seed', 0, 2 ** 32 - 1),
      records: optionalInteger(values, 'records', 1_000, 100_000_000),
    }
  }
  // report
  const [dir, extra] = positionals
  if (dir === undefined || extra !== undefined) throw new UsageError('DIR', 'report takes exactly one results folder: offsetkit-bench report DIR')
  return { command: 'report', dir }
}
