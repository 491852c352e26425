import type { CommitPolicyOption, Ordering } from '@offsetkit/commit-core'
import { formatCommitPolicy } from './parse-commit-policy.js'
import { AUTO_UNSUPPORTED, JAVA, type BenchClient, type ClientName } from './bench-clients.js'
import { shuffle } from './stats.js'

/**
 * One pre-produced topic per shape, reused by every run that needs it (each run has its own
 * group). A topic holds exactly warmup + records records, so "stop at an exact count" and
 * "committed == end offsets" are the same point in the log.
 */
export interface Shape {
  readonly id: 'main' | 'slow' | 'io'
  readonly partitions: number
  readonly size: number
  /** Records processed before timing starts (discarded). */
  readonly warmup: number
  /** Records timed. */
  readonly records: number
}

export type RawCommit = 'none' | 'auto' | { readonly every: number }

/**
 * `offsetkit`: through an adapter; `raw`: a hand-written loop on the bare client; `java`: Apache
 * Kafka's own ConsumerPerformance tool, run once per run number (not per client) as the anchor.
 */
export type ArmKind = 'offsetkit' | 'raw' | 'java'

export interface Arm {
  /** Unique within a client; also the row label. */
  readonly id: string
  readonly kind: ArmKind
  /** offsetkit arms: the policy; raw arms: what the hand-written loop does; java: its auto-commit. */
  readonly commit: CommitPolicyOption
  /**
   * offsetkit `mode: 'transactional'`: the handler sends one output record per input and each
   * commit is one producer transaction (exactly-once).
   */
  readonly transactional: boolean
  readonly ordering: Ordering
  readonly concurrency: number | undefined
  readonly workMs: number
  readonly shape: Shape['id']
}

export interface Task {
  /** `java` for the anchor arm. */
  readonly client: BenchClient
  readonly arm: Arm
  /** 1-based run number within the cell. */
  readonly run: number
}

export interface BenchPlan {
  readonly quick: boolean
  readonly runs: number
  readonly seed: number
  readonly clients: readonly ClientName[]
  readonly shapes: readonly Shape[]
  readonly arms: readonly Arm[]
  /** Cells that are not measured, with the reason (e.g. auto on kafkajs). */
  readonly unsupported: ReadonlyArray<{ readonly client: BenchClient; readonly arm: string; readonly reason: string }>
  /** Every run of every cell, shuffled. */
  readonly tasks: readonly Task[]
}

export const IO_WORK_MS = 10
export const BATCHED_ARM = 'every:1000'
/** The at-least-once arm every transactional arm is compared with (whatever its own cadence). */
export const TX_REFERENCE_ARM = BATCHED_ARM

function arm(commit: CommitPolicyOption, extra: Partial<Omit<Arm, 'commit'>> = {}): Arm {
  const ordering = extra.ordering ?? 'partition'
  const workMs = extra.workMs ?? 0
  const concurrency = extra.concurrency
  const kind = extra.kind ?? 'offsetkit'
  const transactional = extra.transactional ?? false
  const policy = formatCommitPolicy(commit)
  const id = extra.id ?? (kind === 'raw' ? `raw ${policy}` : transactional ? `tx ${policy}` : policy)
  return { id, kind, commit, transactional, ordering, concurrency, workMs, shape: extra.shape ?? 'main' }
}

/** The arms of the issues, in display order. */
export function defaultArms(): Arm[] {
  const io = { workMs: IO_WORK_MS, shape: 'io' as const }
  return [
    arm('auto', { kind: 'java', id: JAVA }),
    arm('none'),
    arm('auto'),
    arm('per-message', { shape: 'slow' }),
    arm('per-message-async'),
    arm({ every: 10 }),
    arm({ every: 100 }),
    arm({ every: 1000 }),
    arm({ interval: 100 }),
    arm({ interval: 1000 }),
    arm({ every: 1000, interval: 1000 }),
    arm({ every: 1000, interval: 1000 }, { id: `partition ${IO_WORK_MS}ms`, ...io, shape: 'slow' }),
    arm({ every: 1000, interval: 1000 }, { id: `unordered c16 ${IO_WORK_MS}ms`, ...io, ordering: 'unordered', concurrency: 16 }),
    arm({ every: 1000, interval: 1000 }, { id: `unordered c64 ${IO_WORK_MS}ms`, ...io, ordering: 'unordered', concurrency: 64 }),
    arm({ every: 100 }, { transactional: true }),
    arm({ every: 1000 }, { transactional: true }),
    arm({ interval: 100 }, { transactional: true }),
    arm('none', { kind: 'raw' }),
    arm({ every: 1000 }, { kind: 'raw' }),
    arm('auto', { kind: 'raw' }),
  ]
}

/**
 * Sizes chosen for 2 cores: the default matrix took 11 minutes in one process; with a process
 * per run, the Java anchor and the transactional arms (the slowest on `main`), expect ~40, --quick ~8.
 * per-message sync and the ordered I/O arm run ~100–400 records/s, so they get the small topic.
 */
export function defaultShapes(quick: boolean): Shape[] {
  return quick
    ? [
        { id: 'main', partitions: 4, size: 200, warmup: 20_000, records: 200_000 },
        { id: 'slow', partitions: 4, size: 200, warmup: 100, records: 800 },
        { id: 'io', partitions: 4, size: 200, warmup: 320, records: 6_400 },
      ]
    : [
        { id: 'main', partitions: 4, size: 200, warmup: 50_000, records: 600_000 },
        { id: 'slow', partitions: 4, size: 200, warmup: 200, records: 2_000 },
        { id: 'io', partitions: 4, size: 200, warmup: 640, records: 9_600 },
      ]
}

export function makePlan(options: {
  readonly quick: boolean
  readonly clients: readonly ClientName[]
  readonly runs?: number | undefined
  readonly seed?: number | undefined
  readonly shapes?: readonly Shape[]
  readonly arms?: readonly Arm[]
}): BenchPlan {
  const runs = options.runs ?? (options.quick ? 1 : 3)
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32)
  const arms = options.arms ?? defaultArms()
  const unsupported: Array<{ client: BenchClient; arm: string; reason: string }> = []
  const ordered: Task[] = []
  for (const a of arms.filter((x) => x.kind === 'java')) {
    for (let run = 1; run <= runs; run++) ordered.push({ client: JAVA, arm: a, run })
  }
  for (const client of options.clients) {
    for (const a of arms.filter((x) => x.kind !== 'java')) {
      const reason = a.kind === 'offsetkit' && a.commit === 'auto' ? AUTO_UNSUPPORTED[client] : undefined
      if (reason !== undefined) {
        unsupported.push({ client, arm: a.id, reason })
        continue
      }
      for (let run = 1; run <= runs; run++) ordered.push({ client, arm: a, run })
    }
  }
  return {
    quick: options.quick,
    runs,
    seed,
    clients: options.clients,
    shapes: options.shapes ?? defaultShapes(options.quick),
    arms,
    unsupported,
    tasks: shuffle(ordered, seed),
  }
}
