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

export type RawCommit = 'none' | 'auto' | 'per-message' | { readonly every: number }

/**
 * `offsetkit`: through an adapter; `raw`: a hand-written loop on the bare client; `java`: Apache
 * Kafka's own ConsumerPerformance tool, run once per run number (not per client) as the anchor.
 */
export type ArmKind = 'offsetkit' | 'raw' | 'java'

/**
 * A hand-written loop with client settings other than the adapters' (the `ceiling` arms): what
 * the bare binding can do, setting by setting, without offsetkit.
 */
export interface RawVariant {
  /** The one client the variant is for. */
  readonly client: 'confluent' | 'node-rdkafka'
  /** Callback API: records asked for per `consume(n)`, or 'flowing' (`consume()` and 'data' events). */
  readonly consume?: number | 'flowing'
  /** confluent: its node-rdkafka-compatible callback API (`KafkaConsumer`) instead of the KafkaJS API. */
  readonly callbackApi?: boolean
  /** confluent KafkaJS API: `js.consumer.max.batch.size` (-1 = unlimited, what the adapter uses). */
  readonly maxBatchSize?: number
  /** confluent KafkaJS API: `eachMessage` instead of `eachBatch`. */
  readonly eachMessage?: boolean
  /** librdkafka properties merged into the consumer's config. */
  readonly config?: Readonly<Record<string, string | number | boolean>>
}

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
  /** offsetkit arms: a batch handler (`run({ batchHandler })`) instead of a per-record one. */
  readonly batch?: boolean
  readonly ordering: Ordering
  readonly concurrency: number | undefined
  readonly workMs: number
  readonly shape: Shape['id']
  /** Raw arms of the `ceiling` group: the client settings of this loop. */
  readonly variant?: RawVariant
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
  const variant = extra.variant
  const ordering = extra.ordering ?? 'partition'
  const workMs = extra.workMs ?? 0
  const concurrency = extra.concurrency
  const kind = extra.kind ?? 'offsetkit'
  const transactional = extra.transactional ?? false
  const policy = formatCommitPolicy(commit)
  const id = extra.id ?? (kind === 'raw' ? `raw ${policy}` : transactional ? `tx ${policy}` : extra.batch === true ? `batch ${policy}` : policy)
  return {
    id, kind, commit, transactional, ordering, concurrency, workMs, shape: extra.shape ?? 'main',
    ...(extra.batch === true ? { batch: true } : {}),
    ...(variant === undefined ? {} : { variant }),
  }
}

/** librdkafka prefetching more than its defaults (1 MiB per partition fetch, 64 MiB queued). */
const BIG_FETCH = { 'fetch.message.max.bytes': 4_194_304, 'queued.min.messages': 1_000_000, 'queued.max.messages.kbytes': 262_144 }
/** librdkafka prefetching less (memory). */
const SMALL_FETCH = { 'fetch.message.max.bytes': 262_144, 'queued.max.messages.kbytes': 16_384 }

/**
 * The `ceiling` group (not in the default matrix; `--arms ceiling --clients confluent,node-rdkafka`):
 * hand-written loops without commits on the librdkafka bindings, one setting changed at a time,
 * to find what each binding can deliver at all (compare with `raw none` and offsetkit's `none`).
 */
export function ceilingArms(): Arm[] {
  const raw = (id: string, variant: RawVariant): Arm => arm('none', { kind: 'raw', id: `raw none ${id}`, variant })
  return [
    raw('consume(100)', { client: 'node-rdkafka', consume: 100 }),
    raw('consume(1000)', { client: 'node-rdkafka', consume: 1000 }),
    raw('consume(5000)', { client: 'node-rdkafka', consume: 5000 }),
    raw('flowing', { client: 'node-rdkafka', consume: 'flowing' }),
    raw('consume(1000) big fetch', { client: 'node-rdkafka', consume: 1000, config: BIG_FETCH }),
    raw('consume(1000) small fetch', { client: 'node-rdkafka', consume: 1000, config: SMALL_FETCH }),
    // librdkafka postpones a partition's next fetch by fetch.queue.backoff.ms (default 1000) once
    // its queue passed queued.min.messages / queued.max.messages.kbytes.
    raw('consume(500) queue backoff:10ms', { client: 'node-rdkafka', config: { 'fetch.queue.backoff.ms': 10 } }),
    raw('batch:32', { client: 'confluent', maxBatchSize: 32 }),
    raw('batch:1000', { client: 'confluent', maxBatchSize: 1000 }),
    // The KafkaJS API sizes each consume(n) to this much consumption (default 1500 ms): one call
    // converts all n messages on the event loop.
    raw('batch:1000 cache:100ms', { client: 'confluent', maxBatchSize: 1000, config: { 'js.consumer.max.cache.size.per.worker.ms': 100 } }),
    raw('batch:1000 cache:20ms', { client: 'confluent', maxBatchSize: 1000, config: { 'js.consumer.max.cache.size.per.worker.ms': 20 } }),
    raw('eachMessage', { client: 'confluent', eachMessage: true, maxBatchSize: 32 }),
    raw('big fetch', { client: 'confluent', config: BIG_FETCH }),
    raw('small fetch', { client: 'confluent', config: SMALL_FETCH }),
    raw('queue backoff:10ms', { client: 'confluent', config: { 'fetch.queue.backoff.ms': 10 } }),
    raw('batch:1000 small fetch', { client: 'confluent', maxBatchSize: 1000, config: SMALL_FETCH }),
    raw('callback consume(1000)', { client: 'confluent', callbackApi: true, consume: 1000 }),
    raw('callback consume(5000)', { client: 'confluent', callbackApi: true, consume: 5000 }),
    raw('callback flowing', { client: 'confluent', callbackApi: true, consume: 'flowing' }),
  ]
}

/** Every arm `--arms` can name: the default matrix and the `ceiling` group. */
export function allArms(): Arm[] {
  return [...defaultArms(), ...ceilingArms()]
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
    // The batch handler: one tracked unit per partition batch instead of per record.
    arm('none', { batch: true }),
    arm({ every: 1000 }, { batch: true }),
    arm({ every: 100 }, { transactional: true }),
    arm({ every: 1000 }, { transactional: true }),
    arm({ interval: 100 }, { transactional: true }),
    arm('none', { kind: 'raw' }),
    arm({ every: 1000 }, { kind: 'raw' }),
    // A commit acknowledged before the next record: the client's own commit round trip.
    arm('per-message', { kind: 'raw', shape: 'slow' }),
    arm('auto', { kind: 'raw' }),
  ]
}

/**
 * Sizes chosen for 2 cores: the default matrix took 11 minutes in one process; with a process
 * per run, the Java anchor and the transactional arms (the slowest on `main`), expect ~40, --quick ~8.
 * per-message sync and the ordered I/O arm run ~100–400 records/s, so they get the small topic.
 */
export function defaultShapes(quick: boolean, mainRecords?: number): Shape[] {
  const shapes = defaultShapesOf(quick)
  return mainRecords === undefined ? shapes : shapes.map((s) => (s.id === 'main' ? { ...s, records: mainRecords } : s))
}

function defaultShapesOf(quick: boolean): Shape[] {
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
  /** Timed records on the main topic instead of the default. */
  readonly records?: number | undefined
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
      // A ceiling arm is one client's setting: no cell at all on the others.
      if (a.variant !== undefined && a.variant.client !== client) continue
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
    shapes: options.shapes ?? defaultShapes(options.quick, options.records),
    arms,
    unsupported,
    tasks: shuffle(ordered, seed),
  }
}
