import type { CommitPolicyOption, Ordering } from '@offsetkit/commit-core'
import { formatCommitPolicy } from './parse-commit-policy.js'
import { AUTO_UNSUPPORTED, type ClientName } from './parse-args.js'
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

export interface Arm {
  /** Unique within a client; also the row label. */
  readonly id: string
  readonly kind: 'offsetkit' | 'raw'
  /** offsetkit arms: the policy; raw arms: what the hand-written loop does. */
  readonly commit: CommitPolicyOption
  readonly ordering: Ordering
  readonly concurrency: number | undefined
  readonly workMs: number
  readonly shape: Shape['id']
}

export interface Task {
  readonly client: ClientName
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
  readonly unsupported: ReadonlyArray<{ readonly client: ClientName; readonly arm: string; readonly reason: string }>
  /** Every run of every cell, shuffled. */
  readonly tasks: readonly Task[]
}

export const IO_WORK_MS = 10
export const BATCHED_ARM = 'every:1000'

function arm(commit: CommitPolicyOption, extra: Partial<Omit<Arm, 'commit'>> = {}): Arm {
  const ordering = extra.ordering ?? 'partition'
  const workMs = extra.workMs ?? 0
  const concurrency = extra.concurrency
  const kind = extra.kind ?? 'offsetkit'
  const policy = formatCommitPolicy(commit)
  const id = extra.id ?? (kind === 'raw' ? `raw ${policy}` : policy)
  return { id, kind, commit, ordering, concurrency, workMs, shape: extra.shape ?? 'main' }
}

/** The arms of the issue, in display order. */
export function defaultArms(): Arm[] {
  const io = { workMs: IO_WORK_MS, shape: 'io' as const }
  return [
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
    arm('none', { kind: 'raw' }),
    arm({ every: 1000 }, { kind: 'raw' }),
    arm('auto', { kind: 'raw' }),
  ]
}

/**
 * Sizes chosen for 2 cores: the default matrix fits in 15 minutes, --quick in about 2.
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
  const unsupported: Array<{ client: ClientName; arm: string; reason: string }> = []
  const ordered: Task[] = []
  for (const client of options.clients) {
    for (const a of arms) {
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
