// One validation consumer, run as its own process (`node --import tsx consumer-process.ts FLAGS`)
// so that faults come from outside: SIGTERM (clean close), SIGKILL, SIGSTOP/SIGCONT.
//
// stdout stays empty. stderr carries one JSON line per event ({"event": …}) for the runner: group
// membership (assigned/revoked/lost), and every event offsetkit emits that signals trouble.
// Each processed record is written as `topic partition offset` with write(2) BEFORE the handler
// resolves, i.e. before offsetkit may commit past it, so a SIGKILL never loses a processed record.
import { closeSync, openSync, writeSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { OffsetkitConsumer } from '@offsetkit/commit-core'
import { CONSUMER_USAGE, parseConsumerArgs, type ConsumerArgs } from './consumer-args.js'
import { createValidationConsumer } from './create-validation-consumer.js'
import { UsageError } from './usage-error.js'

function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ event, t: Date.now(), pid: process.pid, ...fields }, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}\n`)
}

function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) }
  const e = error as Error & { code?: unknown; classification?: unknown }
  return { error: e.message, code: e.code, classification: e.classification }
}

// Trouble events. Names an engine does not know are harmless to listen to, so older adapters
// (without the liveness events) run the same program.
const TROUBLE = [
  'consumer.stopped', 'partition.stopped', 'commit.stalled', 'commit.recovered', 'partition.starved', 'partition.flowing',
  'group.partition.stalled', 'group.partition.flowing', 'client.failed',
] as const

/** Event payloads as JSON: errors as their message and code, bigints as strings. */
function plain(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return errorFields(value)
  if (depth > 3 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1))
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'record' && k !== 'native').map(([k, v]) => [k, plain(v, depth + 1)]))
}

function listen(consumer: OffsetkitConsumer): void {
  const on = consumer.on.bind(consumer) as (event: string, listener: (payload: Record<string, unknown>) => void) => () => void
  for (const name of ['partition.assigned', 'partition.revoked', 'partition.lost'] as const) {
    on(name, (p) => emit(name, { topic: p.topic, partition: p.partition, epoch: p.epoch }))
  }
  on('commit.failed', (p) => {
    if (p.willRetry === false) emit('commit.failed', { attempt: p.attempt, ...errorFields(p.error) })
  })
  for (const name of TROUBLE) on(name, (p) => emit(name, plain(p) as Record<string, unknown>))
  // When records waited for the membership probe (liveness.membershipProbeMs), and its answer.
  for (const name of ['membership.probing', 'membership.probed'] as const) on(name, (p) => emit(name, plain(p) as Record<string, unknown>))
  // OFFSETKIT_VALIDATE_TRACE=commits: every commit offsetkit sends and the client confirms, in the
  // consumer's log, to tell a commit this consumer sent from one the client or broker made up.
  if (process.env['OFFSETKIT_VALIDATE_TRACE'] === 'commits') {
    const offsets = (request: unknown) => ((request as { offsets: Array<{ partition: number; offset: bigint }> }).offsets)
      .map(({ partition, offset }) => `${partition}@${offset}`).join(' ')
    on('commit.started', (p) => emit('commit.started', { attempt: p.attempt, offsets: offsets(p.request) }))
    on('commit.succeeded', (p) => emit('commit.succeeded', { attempt: p.attempt, offsets: offsets(p.request), ms: p.durationMs }))
  }
  // A client that will not restart consumes nothing more: exit non-zero so the runner sees it.
  on('client.failed', (p) => {
    if (p.restarting === false) {
      emit('fatal', { kind: 'client.failed', ...errorFields(p.error) })
      process.exit(1)
    }
  })
}

async function main(args: ConsumerArgs): Promise<void> {
  const consumer = createValidationConsumer(args)
  listen(consumer)
  const fd = openSync(args.record, 'a')
  let stop!: (signal: string) => void
  const stopped = new Promise<string>((resolve) => { stop = resolve })
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  await consumer.run({
    topics: [args.topic],
    handler: async (record) => {
      if (args.workMs > 0) await sleep(args.workMs)
      writeSync(fd, `${record.topic} ${record.partition} ${record.offset}\n`)
    },
  })
  emit('running', { client: args.client, protocol: args.protocol, group: args.group, instanceId: args.instanceId })
  const signal = await stopped
  emit('closing', { signal })
  await consumer.close()
  closeSync(fd)
  emit('closed')
}

process.on('uncaughtException', (error) => {
  emit('fatal', { kind: 'uncaughtException', ...errorFields(error) })
  process.exit(1)
})
process.on('unhandledRejection', (error) => {
  emit('fatal', { kind: 'unhandledRejection', ...errorFields(error) })
  process.exit(1)
})

let args: ConsumerArgs
try {
  args = parseConsumerArgs(process.argv.slice(2))
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  process.stderr.write(`${error.message}\n${CONSUMER_USAGE}\n`)
  process.exit(2)
}
main(args).then(
  () => process.exit(0),
  (error: unknown) => {
    emit('fatal', { kind: 'run', ...errorFields(error) })
    process.exit(1)
  },
)
