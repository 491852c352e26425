import type { CommitPolicyOption, OffsetkitOptions } from '@offsetkit/commit-core'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Arm, RawCommit, Shape } from './bench-plan.js'
import type { BenchKafka } from './bench-kafka.js'
import { createBenchConsumer } from './create-bench-consumer.js'
import type { ClientName } from './parse-args.js'
import { createRawLoop } from './raw-loops.js'
import { RunMeter } from './run-meter.js'
import type { RunResult } from './run-result.js'

export interface PreparedTopic {
  readonly topic: string
  readonly shape: Shape
  readonly ends: ReadonlyMap<number, bigint>
}

/** Closing must not hang a whole matrix: a close that takes this long fails the run. */
const CLOSE_TIMEOUT_MS = 60_000

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms)
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

function offsetkitOptions(arm: Arm): OffsetkitOptions {
  return {
    commit: arm.commit,
    ordering: arm.ordering,
    ...(arm.concurrency === undefined ? {} : { concurrency: arm.concurrency }),
  }
}

function rawCommit(commit: CommitPolicyOption): RawCommit {
  if (commit === 'none' || commit === 'auto') return commit
  if (typeof commit === 'object' && 'every' in commit && typeof commit.every === 'number' && !('interval' in commit)) return { every: commit.every }
  throw new Error('raw baselines implement none, auto and every:N')
}

/**
 * One run of one cell: fresh group, earliest offset, warm-up discarded, timed to an exact count,
 * closed (final commit), then the committed offsets read back from the broker must equal the
 * end offsets (or be absent for the no-commit arms). A run that fails this is failed, not timed.
 */
export async function measureRun(client: ClientName, arm: Arm, run: number, prepared: PreparedTopic, kafka: BenchKafka): Promise<RunResult> {
  const began = performance.now()
  const { topic, shape, ends } = prepared
  const groupId = `offsetkit-bench-${client}-${arm.id.replace(/[^a-z0-9]+/gi, '-')}-${run}-${randomBytes(3).toString('hex')}`
  const target = { brokers: kafka.brokers, groupId }
  const meter = new RunMeter(shape.warmup, shape.records)
  const total = shape.warmup + shape.records
  // Generous: the slow arms run ~100 records/s on a busy 2-core machine.
  const timeoutMs = 120_000 + total * (shape.id === 'slow' ? 30 : 1)
  const failed = (reason: string): RunResult => ({
    client, arm: arm.id, kind: arm.kind, run, status: 'failed', reason, records: shape.records, seconds: 0, recordsPerSec: 0,
    commits: null, commitP50Ms: null, commitP99Ms: null, eldP99Ms: 0, cpuSeconds: 0, rssMiB: 0,
    wallSeconds: (performance.now() - began) / 1000,
  })

  let close: () => Promise<void> = async () => {}
  try {
    if (arm.kind === 'offsetkit') {
      const consumer = createBenchConsumer(client, target, offsetkitOptions(arm))
      close = () => consumer.close()
      consumer.on('commit.started', () => meter.commitStarted())
      consumer.on('commit.succeeded', ({ durationMs }) => meter.commitSucceeded(durationMs))
      const handler = arm.workMs > 0
        ? async () => {
            await sleep(arm.workMs)
            meter.record()
          }
        : () => {
            meter.record()
          }
      await consumer.run({ topics: [topic], handler })
    } else {
      const loop = createRawLoop(client, target, topic, rawCommit(arm.commit), meter)
      close = () => loop.close()
      await loop.start()
    }
    await withTimeout(meter.done, timeoutMs, `consuming ${total} records (got ${meter.processed})`)
    const closing = close()
    close = async () => {}
    await withTimeout(closing, CLOSE_TIMEOUT_MS, 'close')
  } catch (error) {
    await withTimeout(close(), CLOSE_TIMEOUT_MS, 'close').catch(() => undefined)
    await kafka.deleteGroup(groupId)
    return failed(error instanceof Error ? error.message : String(error))
  }

  const check = await kafka.checkOffsets(groupId, topic, ends, arm.commit !== 'none')
  await kafka.deleteGroup(groupId)
  if (!check.ok) return failed(`offsets: ${check.detail}`)
  if (meter.processed !== total) return failed(`processed ${meter.processed} records, the topic holds ${total}`)
  return { client, arm: arm.id, kind: arm.kind, run, status: 'ok', ...meter.reading(), wallSeconds: (performance.now() - began) / 1000 }
}
