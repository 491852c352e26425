// The Java anchor: Apache Kafka's own `org.apache.kafka.tools.ConsumerPerformance` on the same
// topic and broker, run with the `java` the broker runs on (the one on PATH).
import { execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import type { MeterReading } from './run-meter.js'

const run = promisify(execFile)

/** Progress lines at least this many ms apart (and at most one per poll): the warm-up cut and the end fall on a line. */
export const JAVA_REPORTING_INTERVAL_MS = 1
/** An ISO date with milliseconds and offset: unambiguous to parse back. */
const DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"
/**
 * What kafka-consumer-perf-test.sh runs the tool with (KAFKA_HEAP_OPTS there, and
 * kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS); the locale keeps `%.4f` a dot decimal.
 */
const JVM_OPTIONS = [
  '-Xmx512M', '-server', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent', '-Djava.awt.headless=true', '-Duser.language=en', '-Duser.country=US',
]

/** Why the Java arm cannot run here, or undefined when `java` works. */
export async function javaUnavailable(): Promise<string | undefined> {
  try {
    await run('java', ['-version'], { timeout: 20_000 })
    return undefined
  } catch {
    return 'no working `java` on PATH'
  }
}

export interface ConsumerPerfProgress {
  readonly timeMs: number
  readonly mb: number
  readonly messages: number
}

/** `--show-detailed-stats` lines: `time, threadId, MB, MB/s, nMsg, nMsg/s, rebalance ms, fetch ms, fetch MB/s, fetch nMsg/s`. */
export function parseProgressLines(stdout: string): ConsumerPerfProgress[] {
  const lines: ConsumerPerfProgress[] = []
  for (const line of stdout.split('\n')) {
    const fields = line.split(',').map((f) => f.trim())
    if (fields.length !== 10) continue
    const timeMs = Date.parse(fields[0] as string)
    const mb = Number(fields[2])
    const messages = Number(fields[4])
    if (Number.isFinite(timeMs) && Number.isFinite(mb) && Number.isSafeInteger(messages)) lines.push({ timeMs, mb, messages })
  }
  return lines
}

export interface JavaWindow {
  readonly records: number
  readonly seconds: number
  readonly recordsPerSec: number
  readonly mbPerSec: number
}

/**
 * The timed window: from the first progress line at or past the warm-up to the last line. Both
 * ends fall on a line (at most one reporting interval and one poll from the exact counts), so the
 * window holds slightly fewer records than the Node arms' exact count: its own count is reported.
 */
export function javaWindow(lines: readonly ConsumerPerfProgress[], warmup: number): JavaWindow | string {
  const first = lines.find((l) => l.messages >= warmup)
  const last = lines.at(-1)
  if (first === undefined || last === undefined || last.messages <= first.messages || last.timeMs <= first.timeMs) {
    return `too few progress lines past the warm-up (${lines.length} lines; last at ${last?.messages ?? 0} records)`
  }
  const seconds = (last.timeMs - first.timeMs) / 1000
  const records = last.messages - first.messages
  return { records, seconds, recordsPerSec: records / seconds, mbPerSec: (last.mb - first.mb) / seconds }
}

/** Peak RSS of a live process so far (Linux: VmHWM), in MiB; undefined where unreadable. */
function peakRssMiB(pid: number): number | undefined {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kib === undefined ? undefined : Math.round((Number(kib) / 1024) * 10) / 10
  } catch {
    return undefined
  }
}

export interface JavaRunSpec {
  readonly lib: string
  readonly brokers: string
  readonly topic: string
  readonly groupId: string
  readonly warmup: number
  readonly records: number
  readonly timeoutMs: number
}

/**
 * One ConsumerPerformance run over the whole topic (warm-up + timed, `--messages` = both) from the
 * earliest offset in a fresh group; the warm-up is cut with its detailed progress lines. It
 * auto-commits (the Java consumer's default) and commits on close, so the bench's offset check
 * applies to it as to every other arm.
 */
export async function runConsumerPerformance(spec: JavaRunSpec): Promise<{ ok: true; reading: MeterReading; mbPerSec: number } | { ok: false; reason: string }> {
  const args = [
    ...JVM_OPTIONS, '-cp', `${spec.lib}/*`, 'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server', spec.brokers, '--topic', spec.topic, '--group', spec.groupId,
    '--messages', String(spec.warmup + spec.records), '--show-detailed-stats',
    '--reporting-interval', String(JAVA_REPORTING_INTERVAL_MS), '--date-format', DATE_FORMAT, '--timeout', '30000',
  ]
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4000) })
  let rssMiB: number | undefined
  const sample = (): void => {
    if (child.pid !== undefined) rssMiB = peakRssMiB(child.pid) ?? rssMiB
  }
  const sampler = setInterval(sample, 100)
  const timer = setTimeout(() => child.kill('SIGKILL'), spec.timeoutMs)
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      stderr += error.message
      resolve(null)
    })
    child.once('exit', (c) => resolve(c))
  })
  clearInterval(sampler)
  clearTimeout(timer)
  const lastError = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('SLF4J')).slice(-2).join(' | ')
  if (code !== 0) return { ok: false, reason: `ConsumerPerformance exited with ${code ?? 'a signal'}${lastError === '' ? '' : `: ${lastError}`}` }
  if (stdout.includes('WARNING: Exiting before consuming')) return { ok: false, reason: 'ConsumerPerformance timed out before consuming every record' }
  const window = javaWindow(parseProgressLines(stdout), spec.warmup)
  if (typeof window === 'string') return { ok: false, reason: window }
  return {
    ok: true,
    mbPerSec: Math.round(window.mbPerSec * 100) / 100,
    reading: {
      records: window.records, seconds: window.seconds, recordsPerSec: window.recordsPerSec,
      commits: null, commitP50Ms: null, commitP99Ms: null, commitsPerSec: null, eldP99Ms: null, cpuSeconds: null,
      rssMiB: rssMiB ?? null, heapMiB: null,
    },
  }
}
