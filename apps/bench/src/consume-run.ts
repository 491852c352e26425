import type { CommitPolicyOption, EngineRecord, HandlerContext, OffsetkitOptions } from '@offsetkit/commit-core'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ClientName } from './bench-clients.js'
import type { Arm, RawCommit } from './bench-plan.js'
import { createBenchConsumer, type BenchTransaction } from './create-bench-consumer.js'
import { createRawLoop } from './raw-loops.js'
import { RunMeter, type MeterReading, type MemoryPeaks } from './run-meter.js'

/** What the bench process hands a run's own process (as JSON): everything the run needs. */
export interface RunSpec {
  readonly client: ClientName
  readonly arm: Arm
  readonly brokers: string
  readonly groupId: string
  readonly topic: string
  readonly warmup: number
  readonly records: number
  /** Bytes of each output record's value (transactional arms): the input records' size. */
  readonly size: number
  /** Consuming warm-up + records must finish within this. */
  readonly timeoutMs: number
  /** Transactional arms: where each input's output record goes, and the transactional id. */
  readonly output?: { readonly topic: string; readonly transaction: BenchTransaction }
}

/** What the run's process reports back; verification against the broker is the bench process's. */
export type RunOutcome =
  | { readonly status: 'ok'; readonly processed: number; readonly reading: MeterReading }
  | { readonly status: 'failed'; readonly processed: number; readonly reason: string }

/** Closing must not hang a whole matrix: a close that takes this long fails the run. */
export const CLOSE_TIMEOUT_MS = 60_000

/** `what` is read when the time is up, so it can say how far the run got. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${typeof what === 'string' ? what : what()} did not finish within ${Math.round(ms / 1000)} s`)), ms)
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

/** An error's message with its causes' (offsetkit wraps the client's error as `cause`). */
function explain(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error)
  return error.cause === undefined || depth >= 3 ? error.message : `${error.message} ← ${explain(error.cause, depth + 1)}`
}

function offsetkitOptions(arm: Arm): OffsetkitOptions {
  return {
    commit: arm.commit,
    ordering: arm.ordering,
    ...(arm.concurrency === undefined ? {} : { concurrency: arm.concurrency }),
    ...(arm.transactional ? { mode: 'transactional' as const } : {}),
    // Experiments with core's options: OFFSETKIT_BENCH_OPTIONS='{"maxInFlightPerPartition":5000}'.
    ...(JSON.parse(process.env['OFFSETKIT_BENCH_OPTIONS'] ?? '{}') as OffsetkitOptions),
  }
}

function rawCommit(commit: CommitPolicyOption): RawCommit {
  if (commit === 'none' || commit === 'auto' || commit === 'per-message') return commit
  if (typeof commit === 'object' && 'every' in commit && typeof commit.every === 'number' && !('interval' in commit)) return { every: commit.every }
  throw new Error('raw baselines implement none, auto, per-message and every:N')
}

/**
 * One run, inside its own process: fresh group from the earliest offset, warm-up discarded, timed
 * to an exact count (transactional arms: to the commit of the transaction holding the last
 * record's output), then `close()` (final commit; in transactional mode the last transaction).
 * `peaks()` is read after close, so it covers the run's whole life.
 */
export async function consumeRun(spec: RunSpec, peaks: () => MemoryPeaks): Promise<RunOutcome> {
  const { arm, client } = spec
  const target = { brokers: spec.brokers, groupId: spec.groupId }
  const meter = new RunMeter(spec.warmup, spec.records, arm.transactional)
  const total = spec.warmup + spec.records
  let close: () => Promise<void> = async () => {}
  // Why a run that stalls stalled: what offsetkit reported, for the failure reason.
  const problems: string[] = []
  const failed = (error: unknown): RunOutcome => {
    const message = explain(error)
    const more = [...new Set(problems)].filter((problem) => !problem.includes(message)).slice(0, 2)
    return { status: 'failed', processed: meter.processed, reason: more.length === 0 ? message : `${message} (${more.join('; ')})` }
  }
  // A consumer that gave up (stopped, its client dead, closed by itself after a fatal
  // transactional commit) fails the run now instead of at the timeout.
  let closing = false
  let giveUp: (error: Error) => void = () => {}
  const gaveUp = new Promise<never>((_, reject) => {
    giveUp = reject
  })
  gaveUp.catch(() => undefined)
  try {
    if (arm.kind === 'offsetkit') {
      const output = spec.output
      if (arm.transactional && output === undefined) throw new Error(`${arm.id} needs an output topic`)
      const consumer = await createBenchConsumer(client, target, offsetkitOptions(arm), output?.transaction)
      close = () => consumer.close()
      consumer.on('commit.started', () => meter.commitStarted())
      consumer.on('commit.succeeded', ({ durationMs }) => meter.commitSucceeded(durationMs))
      consumer.on('consumer.stopped', ({ error }) => {
        problems.push(`consumer stopped: ${explain(error)}`)
        giveUp(new Error('the consumer stopped'))
      })
      consumer.on('client.failed', ({ error, restarting }) => {
        problems.push(`client failed: ${explain(error)}`)
        if (!restarting) giveUp(new Error('the client failed for good'))
      })
      consumer.on('closed', ({ error }) => {
        if (!closing) giveUp(new Error(`the consumer closed itself${error === undefined ? '' : `: ${explain(error)}`}`))
      })
      consumer.on('commit.failed', ({ error }) => problems.push(`commit failed: ${explain(error)}`))
      consumer.on('record.failed', ({ error }) => problems.push(`record failed: ${explain(error)}`))
      const value = Buffer.alloc(spec.size, 0x61)
      const handler = output !== undefined
        ? // The key carries the input's partition and offset: the verifier counts distinct inputs.
          (record: EngineRecord, context: HandlerContext) => {
            context.send(output.topic, { key: `${record.partition}:${record.offset}`, value })
            meter.record()
          }
        : arm.workMs > 0
          ? async () => {
              await sleep(arm.workMs)
              meter.record()
            }
          : () => {
              meter.record()
            }
      if (arm.batch === true) {
        await consumer.run({
          topics: [spec.topic],
          batchHandler: (batch) => {
            for (let i = 0; i < batch.records.length; i++) meter.record()
          },
        })
      } else {
        await consumer.run({ topics: [spec.topic], handler })
      }
    } else if (arm.kind === 'raw') {
      const loop = await createRawLoop(client, target, spec.topic, rawCommit(arm.commit), meter, arm.variant)
      close = () => loop.close()
      await loop.start()
    } else {
      throw new Error(`${arm.id} is not a Node run`)
    }
    await withTimeout(Promise.race([meter.done, gaveUp]), spec.timeoutMs, () => `consuming ${total} records (got ${meter.processed})`)
    closing = true
    const closed = close()
    close = async () => {}
    await withTimeout(closed, CLOSE_TIMEOUT_MS, 'close')
    meter.settle()
  } catch (error) {
    closing = true
    await withTimeout(close(), CLOSE_TIMEOUT_MS, 'close').catch(() => undefined)
    return failed(error)
  }
  if (meter.processed !== total) return { status: 'failed', processed: meter.processed, reason: `processed ${meter.processed} records, the topic holds ${total}` }
  return { status: 'ok', processed: meter.processed, reading: meter.reading(peaks()) }
}
