import type { CommitPolicyOption } from '@offsetkit/commit-core'
import { parseArgs } from 'node:util'
import { UsageError } from './usage-error.js'

export const CLIENTS = ['kafkajs', 'confluent', 'node-rdkafka'] as const
export type ClientName = (typeof CLIENTS)[number]
export const PROTOCOLS = ['classic', 'consumer'] as const
export type GroupProtocol = (typeof PROTOCOLS)[number]

/** KIP-848 (`group.protocol=consumer`) per client: kafkajs only speaks the classic protocol. */
export const PROTOCOL_GAPS: Partial<Record<ClientName, Partial<Record<GroupProtocol, string>>>> = {
  kafkajs: { consumer: 'kafkajs 2.2.4 implements only the classic group protocol (no KIP-848)' },
}
/** Static membership (KIP-345) per client. */
export const STATIC_MEMBERSHIP_GAPS: Partial<Record<ClientName, string>> = {
  kafkajs: 'kafkajs 2.2.4 has no group.instance.id (static membership)',
}

/**
 * Clean rebalances redo records on kafkajs: it has only eager rebalancing and no revoke hook it
 * awaits, so records finishing between the REBALANCING commit and the rejoin are not committed
 * for partitions that move (the adapter drops them as lost rather than commit over a new owner).
 */
export const CLEAN_REBALANCE_GAPS: Partial<Record<ClientName, string>> = {
  kafkajs: 'kafkajs has no awaited revoke hook (eager rebalancing only): a clean rebalance redoes the records that finished after the REBALANCING commit, so "0 duplicates" cannot hold',
}

/**
 * kafkajs 2.2.4 keeps committing to the coordinator it cached after NOT_COORDINATOR when the
 * coordinator moves (its OffsetManager never re-discovers it; tulios/kafkajs PR #1779, unmerged):
 * commits fail until something makes it rejoin. offsetkit reports it (commit.stalled after 30 s).
 */
export const COORDINATOR_MOVE_GAPS: Partial<Record<ClientName, string>> = {
  kafkajs: 'kafkajs 2.2.4 does not re-discover a moved group coordinator after NOT_COORDINATOR (tulios/kafkajs PR #1779): commits fail until a rejoin; offsetkit reports commit.stalled',
}

export const CONSUMER_USAGE =
  'usage: consumer-process --client kafkajs|confluent|node-rdkafka --bootstrap HOST:PORT --group G --topic T --record FILE ' +
  '[--protocol classic|consumer] [--commit every:N|interval:MS|every:N,interval:MS|per-message] [--work-ms MS] ' +
  '[--instance-id ID] [--session-timeout MS]'

/** What one consumer process runs with. */
export interface ConsumerArgs {
  readonly client: ClientName
  readonly bootstrap: string
  readonly protocol: GroupProtocol
  readonly group: string
  readonly topic: string
  readonly commit: CommitPolicyOption
  readonly commitText: string
  readonly workMs: number
  /** group.instance.id: static membership. */
  readonly instanceId: string | undefined
  /** Classic protocol only: KIP-848 moves the session timeout to the broker. */
  readonly sessionTimeoutMs: number
  readonly record: string
}

const POLICY_ACCEPTED = 'every:N, interval:MS, every:N,interval:MS or per-message (N, MS positive integers)'

function wholeNumber(flag: string, text: string, min: number): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) throw UsageError.invalid(flag, text, `an integer ≥ ${min}`)
  return Number(text)
}

export function parseCommit(text: string): CommitPolicyOption {
  if (text === 'per-message') return text
  const policy: { every?: number; interval?: number } = {}
  for (const part of text.split(',')) {
    const match = /^(every|interval):([1-9][0-9]*)$/.exec(part)
    if (!match || policy[match[1] as 'every' | 'interval'] !== undefined) throw UsageError.invalid('--commit', text, POLICY_ACCEPTED)
    policy[match[1] as 'every' | 'interval'] = Number(match[2])
  }
  return policy
}

function oneOf<T extends string>(flag: string, value: string | undefined, accepted: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback
  if (value === undefined || !(accepted as readonly string[]).includes(value)) throw UsageError.invalid(flag, value ?? null, accepted.join(' | '))
  return value as T
}

function required(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(flag, `${flag} is required`)
  return value
}

/** The consumer process's flags; every problem is a UsageError naming the flag. */
export function parseConsumerArgs(argv: readonly string[]): ConsumerArgs {
  let values: Record<string, string | undefined>
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: Object.fromEntries(
        ['client', 'bootstrap', 'protocol', 'group', 'topic', 'commit', 'work-ms', 'instance-id', 'session-timeout', 'record'].map((name) => [name, { type: 'string' as const }]),
      ),
    }) as { values: Record<string, string | undefined> })
  } catch (error) {
    throw new UsageError('flags', (error as Error).message)
  }
  const client = oneOf('--client', values.client, CLIENTS)
  const protocol = oneOf('--protocol', values.protocol, PROTOCOLS, 'classic')
  const gap = PROTOCOL_GAPS[client]?.[protocol]
  if (gap !== undefined) throw UsageError.invalid('--protocol', protocol, `classic (${gap})`)
  const instanceId = values['instance-id']
  const staticGap = STATIC_MEMBERSHIP_GAPS[client]
  if (instanceId !== undefined && staticGap !== undefined) throw UsageError.invalid('--instance-id', instanceId, `nothing (${staticGap})`)
  const commitText = values.commit ?? 'every:100'
  return {
    client,
    protocol,
    bootstrap: required('--bootstrap', values.bootstrap),
    group: required('--group', values.group),
    topic: required('--topic', values.topic),
    record: required('--record', values.record),
    commit: parseCommit(commitText),
    commitText,
    workMs: wholeNumber('--work-ms', values['work-ms'] ?? '1', 0),
    instanceId,
    sessionTimeoutMs: wholeNumber('--session-timeout', values['session-timeout'] ?? '6000', 1000),
  }
}

/** The inverse: flags that make the consumer process run with `args`. */
export function consumerArgv(args: Omit<ConsumerArgs, 'commit'>): string[] {
  return [
    '--client', args.client, '--bootstrap', args.bootstrap, '--protocol', args.protocol, '--group', args.group, '--topic', args.topic,
    '--commit', args.commitText, '--work-ms', String(args.workMs), '--session-timeout', String(args.sessionTimeoutMs), '--record', args.record,
    ...(args.instanceId === undefined ? [] : ['--instance-id', args.instanceId]),
  ]
}
