import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { percentile } from './stats.js'

const ELD_RESOLUTION_MS = 1

export interface MeterReading {
  readonly records: number
  readonly seconds: number
  readonly recordsPerSec: number
  readonly commits: number | null
  readonly commitP50Ms: number | null
  readonly commitP99Ms: number | null
  readonly eldP99Ms: number
  readonly cpuSeconds: number
  readonly rssMiB: number
}

/**
 * Counts processed records of one run: timing starts when the warm-up is done and stops at
 * exactly warmup + records. Everything measured (CPU, event-loop delay, RSS) covers that window.
 */
export class RunMeter {
  private count = 0
  private startedAt = 0
  private stoppedAt = 0
  private cpuStart: NodeJS.CpuUsage | undefined
  private cpu: NodeJS.CpuUsage | undefined
  private peakRss = 0
  private rssTimer: NodeJS.Timeout | undefined
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
  ) {}

  get processed(): number {
    return this.count
  }

  /** One record processed (called by the handler, or the raw loop, when it is done). */
  readonly record = (): void => {
    const n = ++this.count
    if (n === this.warmup) this.start()
    else if (n === this.warmup + this.records) this.stop()
  }

  commitStarted(): void {
    this.commitCount++
  }

  commitSucceeded(durationMs: number): void {
    this.latencies.push(durationMs)
  }

  /** For clients whose own auto-commit does not report its commits. */
  commitsUnknown(): void {
    this.commitsKnown = false
  }

  private start(): void {
    this.sampleRss()
    this.rssTimer = setInterval(() => this.sampleRss(), 100)
    this.rssTimer.unref()
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
    clearInterval(this.rssTimer)
    this.sampleRss()
    this.finish()
  }

  private sampleRss(): void {
    this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss())
  }

  reading(): MeterReading {
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
      eldP99Ms: Math.max(0, Math.round(this.eld.percentile(99) / 1e4 - ELD_RESOLUTION_MS * 100) / 100),
      cpuSeconds: Math.round(((this.cpu.user + this.cpu.system) / 1e6) * 1000) / 1000,
      rssMiB: Math.round((this.peakRss / 2 ** 20) * 10) / 10,
    }
  }
}
