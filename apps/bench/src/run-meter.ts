import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { percentile } from './stats.js'

const ELD_RESOLUTION_MS = 1

/** Peaks of the run's own process, over its whole life (not only the timed window). */
export interface MemoryPeaks {
  /** `process.resourceUsage().maxRSS` at the end of the run's process (for Java: VmHWM). */
  readonly rssMiB: number | null
  /** Largest sampled `process.memoryUsage().heapUsed` (null for Java). */
  readonly heapMiB: number | null
}

export interface MeterReading extends MemoryPeaks {
  readonly records: number
  readonly seconds: number
  readonly recordsPerSec: number
  readonly commits: number | null
  readonly commitP50Ms: number | null
  readonly commitP99Ms: number | null
  /** Commits acknowledged inside the timed window per second (transactional arms: transactions/s). */
  readonly commitsPerSec: number | null
  /** Null where there is no Node event loop (the Java anchor). */
  readonly eldP99Ms: number | null
  /** Null where not measured (the Java anchor). */
  readonly cpuSeconds: number | null
}

/**
 * Counts processed records of one run: timing starts when the warm-up is done and stops at
 * exactly warmup + records. What it measures (CPU, event-loop delay, commits/s) covers that window.
 *
 * `untilCommitted` (transactional arms): a record's output exists for a reader only once its
 * transaction commits, so the window ends at the last commit acknowledged before close finished
 * (the final transaction, holding the last timed record), not when the handler returned.
 */
export class RunMeter {
  private count = 0
  private startedAt = 0
  private stoppedAt = 0
  private cpuStart: NodeJS.CpuUsage | undefined
  private cpu: NodeJS.CpuUsage | undefined
  private windowCommits = 0
  private countReachedAt = 0
  private lastCommitAt = 0
  // The histogram records each sampling interval whole (resolution included), so the resolution
  // is subtracted in reading(): what remains is the delay.
  private readonly eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS })
  private commitCount = 0
  private commitsKnown = true
  private readonly latencies: number[] = []
  private finish!: () => void
  /** Resolves when exactly warmup + records records were processed. */
  readonly done: Promise<void> = new Promise((resolve) => { this.finish = resolve })

  constructor(
    readonly warmup: number,
    readonly records: number,
    readonly untilCommitted = false,
  ) {}

  get processed(): number {
    return this.count
  }

  /** One record processed (called by the handler, or the raw loop, when it is done). */
  readonly record = (): void => {
    const n = ++this.count
    if (n === this.warmup) this.start()
    else if (n === this.warmup + this.records) {
      if (!this.untilCommitted) this.stop()
      else {
        this.countReachedAt = performance.now()
        this.finish()
      }
    }
  }

  commitStarted(): void {
    this.commitCount++
  }

  commitSucceeded(durationMs: number): void {
    this.latencies.push(durationMs)
    if (this.startedAt > 0 && this.stoppedAt === 0) {
      this.windowCommits++
      this.lastCommitAt = performance.now()
    }
  }

  /**
   * After close (its final commit included): an `untilCommitted` window ends at the last commit
   * acknowledged, which must come after the last record. A no-op for the other runs.
   */
  settle(): void {
    if (!this.untilCommitted || this.stoppedAt !== 0) return
    if (this.countReachedAt === 0) throw new Error('settle() before the run reached its count')
    if (this.lastCommitAt < this.countReachedAt) throw new Error('no commit was acknowledged after the last record was processed')
    this.cpu = process.cpuUsage(this.cpuStart)
    this.eld.disable()
    this.stoppedAt = this.lastCommitAt
  }

  /** For clients whose own auto-commit does not report its commits. */
  commitsUnknown(): void {
    this.commitsKnown = false
  }

  private start(): void {
    this.eld.reset()
    this.eld.enable()
    this.cpuStart = process.cpuUsage()
    this.startedAt = performance.now()
    if (this.records === 0) this.stop()
  }

  private stop(): void {
    this.stoppedAt = performance.now()
    this.cpu = process.cpuUsage(this.cpuStart)
    this.eld.disable()
    this.finish()
  }

  reading(memory: MemoryPeaks): MeterReading {
    if (this.cpu === undefined) throw new Error('RunMeter.reading() before the run reached its count')
    const seconds = (this.stoppedAt - this.startedAt) / 1000
    const round = (n: number | undefined): number | null => (n === undefined ? null : Math.round(n * 100) / 100)
    return {
      records: this.records,
      seconds,
      recordsPerSec: this.records / seconds,
      commits: this.commitsKnown ? this.commitCount : null,
      commitP50Ms: round(percentile(this.latencies, 50)),
      commitP99Ms: round(percentile(this.latencies, 99)),
      commitsPerSec: this.commitsKnown ? round(this.windowCommits / seconds) : null,
      eldP99Ms: Math.max(0, Math.round(this.eld.percentile(99) / 1e4 - ELD_RESOLUTION_MS * 100) / 100),
      cpuSeconds: Math.round(((this.cpu.user + this.cpu.system) / 1e6) * 1000) / 1000,
      ...memory,
    }
  }
}
