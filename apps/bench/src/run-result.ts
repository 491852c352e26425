import type { ClientName } from './parse-args.js'
import type { MeterReading } from './run-meter.js'

/**
 * One measured run of one cell; what results.json keeps. The meter's figures: timed records
 * (warm-up excluded); commits over the whole run (null when the client does not tell); event-loop
 * delay p99, process CPU (all threads) and peak RSS over the timed window.
 */
export interface RunResult extends MeterReading {
  readonly client: ClientName
  readonly arm: string
  readonly kind: 'offsetkit' | 'raw'
  readonly run: number
  readonly status: 'ok' | 'failed'
  /** Why a run failed (verification, timeout, error). */
  readonly reason?: string
  /** Setup + timed + close + verification. */
  readonly wallSeconds: number
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

export interface BenchResults {
  readonly startedAt: string
  readonly wallSeconds: number
  readonly machine: MachineInfo
  readonly broker: BrokerInfo
  readonly quick: boolean
  readonly runsPerCell: number
  readonly seed: number
  readonly clients: readonly ClientName[]
  readonly shapes: ReadonlyArray<{ readonly id: string; readonly partitions: number; readonly size: number; readonly warmup: number; readonly records: number }>
  /** Arms in display order, with what the report needs to group and compare them. */
  readonly arms: ReadonlyArray<{ readonly id: string; readonly kind: 'offsetkit' | 'raw'; readonly shape: string; readonly workMs: number; readonly concurrency: number | null }>
  readonly unsupported: ReadonlyArray<{ readonly client: ClientName; readonly arm: string; readonly reason: string }>
  readonly runs: readonly RunResult[]
}
