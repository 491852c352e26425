import type { BenchClient, ClientName } from './bench-clients.js'
import type { ArmKind } from './bench-plan.js'
import type { MeterReading } from './run-meter.js'

/**
 * One measured run of one cell; what results.json keeps. The meter's figures: timed records
 * (warm-up excluded); commits over the whole run (null when the client does not tell); event-loop
 * delay p99 and process CPU (all threads) over the timed window; peak RSS and peak heap of the
 * run's own process.
 */
export interface RunResult extends MeterReading {
  readonly client: BenchClient
  readonly arm: string
  readonly kind: ArmKind
  readonly run: number
  readonly status: 'ok' | 'failed'
  /** Why a run failed (verification, timeout, error). */
  readonly reason?: string
  /** Setup + timed + close + verification. */
  readonly wallSeconds: number
  /** The Java anchor: MB/s of record keys and values over the timed window. */
  readonly mbPerSec?: number
  /** Transactional arms: the output topic read with read_committed after the run. */
  readonly output?: { readonly records: number; readonly distinctInputs: number }
}

export interface MachineInfo {
  readonly cpuModel: string
  readonly cpus: number
  readonly memoryGiB: number
  readonly os: string
  readonly node: string
}

export interface BrokerInfo {
  readonly bootstrapServers: string
  readonly source: string
  readonly version: string | null
  readonly appendLingerMs: number | null
}

export interface ArmInfo {
  readonly id: string
  readonly kind: ArmKind
  readonly shape: string
  readonly workMs: number
  readonly concurrency: number | null
  /** Absent in results written before the transactional arms existed. */
  readonly transactional?: boolean
  /** offsetkit's batch handler (absent: per record). */
  readonly batch?: boolean
  /** A ceiling arm: the one client it runs on (absent: every client). */
  readonly client?: ClientName
}

export interface BenchResults {
  readonly startedAt: string
  readonly wallSeconds: number
  readonly machine: MachineInfo
  readonly broker: BrokerInfo
  readonly quick: boolean
  readonly runsPerCell: number
  readonly seed: number
  /** The Node clients measured (the Java anchor is an arm, not a client). */
  readonly clients: readonly ClientName[]
  readonly shapes: ReadonlyArray<{ readonly id: string; readonly partitions: number; readonly size: number; readonly warmup: number; readonly records: number }>
  /** Arms in display order, with what the report needs to group and compare them. */
  readonly arms: readonly ArmInfo[]
  readonly unsupported: ReadonlyArray<{ readonly client: BenchClient; readonly arm: string; readonly reason: string }>
  readonly runs: readonly RunResult[]
  /** Each run had a process of its own (absent in results from before: runs shared the bench's process). */
  readonly processPerRun?: boolean
  /** What the runs executed: the built packages, or the sources through tsx (absent in older results: sources). */
  readonly measured?: 'dist' | 'source'
}
