import { JAVA, type BenchClient, type ClientName } from './bench-clients.js'
import { BATCHED_ARM, TX_REFERENCE_ARM, type ArmKind } from './bench-plan.js'
import type { ArmInfo, BenchResults, RunResult } from './run-result.js'
import { median, spread, type Spread } from './stats.js'

/** One (client, arm) cell of the matrix, summarised over its runs. The Java anchor is client `java`. */
export interface CellSummary {
  readonly client: BenchClient
  readonly arm: string
  readonly kind: ArmKind
  readonly transactional: boolean
  /** Median and range of records/s over the runs that passed. */
  readonly rate: Spread | undefined
  /**
   * Median rate / the same client's no-commit arm; I/O arms: / the concurrency limit;
   * transactional arms: / the same client's at-least-once every:1000.
   */
  readonly ratio: number | undefined
  readonly ratioOf: 'no-commit' | 'limit' | 'at-least-once'
  readonly limit: number | undefined
  /** Median rate / the Java anchor's; only for arms on the Java arm's topic (main). */
  readonly ratioToJava: number | undefined
  readonly commits: number | undefined
  readonly commitP50Ms: number | undefined
  readonly commitP99Ms: number | undefined
  /** Commits acknowledged per second of the timed window (transactional arms: transactions/s). */
  readonly commitsPerSec: number | undefined
  readonly eldP99Ms: number | undefined
  readonly cpuSeconds: number | undefined
  readonly rssMiB: number | undefined
  readonly heapMiB: number | undefined
  /** The Java anchor's MB/s. */
  readonly mbPerSec: number | undefined
  /** Transactional arms: records read back with read_committed (median over the passed runs). */
  readonly outputRecords: number | undefined
  readonly ok: number
  readonly runs: number
  readonly status: string
}

const numbers = (runs: readonly RunResult[], pick: (r: RunResult) => number | null | undefined): number[] =>
  runs.map(pick).filter((n): n is number => typeof n === 'number')

/** Records/s ceiling of an I/O-bound arm: handlers in parallel × (1000 / handler ms). */
function limitOf(results: BenchResults, armId: string): number | undefined {
  const arm = results.arms.find((a) => a.id === armId)
  if (arm === undefined || arm.workMs === 0) return undefined
  const partitions = results.shapes.find((s) => s.id === arm.shape)?.partitions ?? 1
  return ((arm.concurrency ?? partitions) * 1000) / arm.workMs
}

const JAVA_SHAPE = 'main'
/** Failure reasons can run long (error chains); results.json keeps them whole. */
const REASON_CHARS = 240
const shorten = (reason: string): string => (reason.length <= REASON_CHARS ? reason : `${reason.slice(0, REASON_CHARS - 1)}…`)

function summarizeCell(results: BenchResults, client: BenchClient, arm: ArmInfo, reference: number | undefined, javaRate: number | undefined): CellSummary {
  const runs = results.runs.filter((r) => r.client === client && r.arm === arm.id)
  const ok = runs.filter((r) => r.status === 'ok')
  const unsupported = results.unsupported.find((u) => u.client === client && u.arm === arm.id)
  const rate = spread(ok.map((r) => r.recordsPerSec))
  const limit = limitOf(results, arm.id)
  const transactional = arm.transactional === true
  const failures = runs.filter((r) => r.status === 'failed')
  let status: string
  if (unsupported !== undefined) status = `n/a (${unsupported.reason})`
  else if (runs.length === 0) status = 'not run'
  else if (failures.length === 0) status = `ok ${ok.length}/${runs.length}`
  else status = `FAILED ${failures.length}/${runs.length}: ${shorten(failures[0]?.reason ?? '')}`
  const of = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a / b)
  return {
    client,
    arm: arm.id,
    kind: arm.kind,
    transactional,
    rate,
    ratio: of(rate?.median, limit ?? reference),
    ratioOf: limit !== undefined ? 'limit' : transactional ? 'at-least-once' : 'no-commit',
    limit,
    ratioToJava: arm.shape === JAVA_SHAPE ? of(rate?.median, javaRate) : undefined,
    commits: median(numbers(ok, (r) => r.commits)),
    commitP50Ms: median(numbers(ok, (r) => r.commitP50Ms)),
    commitP99Ms: median(numbers(ok, (r) => r.commitP99Ms)),
    commitsPerSec: median(numbers(ok, (r) => r.commitsPerSec)),
    eldP99Ms: median(numbers(ok, (r) => r.eldP99Ms)),
    cpuSeconds: median(numbers(ok, (r) => r.cpuSeconds)),
    rssMiB: median(numbers(ok, (r) => r.rssMiB)),
    heapMiB: median(numbers(ok, (r) => r.heapMiB)),
    mbPerSec: median(numbers(ok, (r) => r.mbPerSec)),
    outputRecords: median(numbers(ok, (r) => r.output?.records)),
    ok: ok.length,
    runs: runs.length,
    status,
  }
}

/** Every cell: the Java anchor first (when it is an arm), then each client's arms in display order. */
export function summarize(results: BenchResults): CellSummary[] {
  const cells: CellSummary[] = []
  const javaArm = results.arms.find((a) => a.kind === 'java')
  const javaRate = median(results.runs.filter((r) => r.client === JAVA && r.status === 'ok').map((r) => r.recordsPerSec))
  if (javaArm !== undefined) cells.push(summarizeCell(results, JAVA, javaArm, undefined, javaRate))
  for (const client of results.clients) {
    const mine = results.runs.filter((r) => r.client === client)
    const baselineOf = (arm: string): number | undefined => median(mine.filter((r) => r.arm === arm && r.status === 'ok').map((r) => r.recordsPerSec))
    // offsetkit arms compare with offsetkit's no-commit arm, raw loops with the raw no-commit loop,
    // transactional arms with the same cadence at-least-once.
    const baselines = { offsetkit: baselineOf('none'), raw: baselineOf('raw none'), tx: baselineOf(TX_REFERENCE_ARM) }
    for (const arm of results.arms) {
      if (arm.kind === 'java' || (arm.client !== undefined && arm.client !== client)) continue
      const reference = arm.transactional === true ? baselines.tx : arm.kind === 'raw' ? baselines.raw : baselines.offsetkit
      cells.push(summarizeCell(results, client, arm, reference, javaRate))
    }
  }
  return cells
}

/** The comparisons the issues ask for, per client (undefined when a side is missing). */
export interface Headline {
  readonly client: ClientName
  readonly batchedVsNoCommit: number | undefined
  readonly perMessageVsNoCommit: number | undefined
  /** offsetkit per-message sync ÷ the bare client's commit round trip (raw per-message). */
  readonly perMessageVsRaw: number | undefined
  readonly offsetkitVsRaw: number | undefined
  readonly noCommitVsRaw: number | undefined
  /** offsetkit's batch handler ÷ the raw loop: none, and every:1000. */
  readonly batchNoCommitVsRaw: number | undefined
  readonly batchVsRaw: number | undefined
  readonly c64OfLimit: number | undefined
  readonly unorderedSpeedup: number | undefined
  readonly noCommitVsJava: number | undefined
  readonly rawNoCommitVsJava: number | undefined
  readonly txVsAtLeastOnce: number | undefined
}

export function headlines(results: BenchResults, cells = summarize(results)): Headline[] {
  return results.clients.map((client) => {
    const cell = (arm: string): CellSummary | undefined => cells.find((c) => c.client === client && c.arm === arm)
    const rate = (arm: string): number | undefined => cell(arm)?.rate?.median
    const div = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a / b)
    const c64 = results.arms.find((a) => a.concurrency === 64)
    const ordered = results.arms.find((a) => a.workMs > 0 && a.concurrency === null)
    return {
      client,
      batchedVsNoCommit: div(rate('every:1000'), rate('none')),
      perMessageVsNoCommit: div(rate('per-message'), rate('none')),
      perMessageVsRaw: div(rate('per-message'), rate('raw per-message')),
      offsetkitVsRaw: div(rate('every:1000'), rate('raw every:1000')),
      noCommitVsRaw: div(rate('none'), rate('raw none')),
      batchNoCommitVsRaw: div(rate('batch none'), rate('raw none')),
      batchVsRaw: div(rate(`batch ${BATCHED_ARM}`), rate(`raw ${BATCHED_ARM}`)),
      c64OfLimit: c64 === undefined ? undefined : cell(c64.id)?.ratio,
      unorderedSpeedup: c64 === undefined || ordered === undefined ? undefined : div(rate(c64.id), rate(ordered.id)),
      noCommitVsJava: cell('none')?.ratioToJava,
      rawNoCommitVsJava: cell('raw none')?.ratioToJava,
      txVsAtLeastOnce: cell(`tx ${TX_REFERENCE_ARM}`)?.ratio,
    }
  })
}

const fmtInt = (n: number | undefined): string => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'))
const fmt = (n: number | undefined, digits = 1): string => (n === undefined ? '–' : n.toFixed(digits))
const pct = (n: number | undefined): string => (n === undefined ? '–' : `${(n * 100).toFixed(1)} %`)

function rateCell(s: Spread | undefined): string {
  if (s === undefined) return '–'
  return s.min === s.max ? fmtInt(s.median) : `${fmtInt(s.median)} (${fmtInt(s.min)}–${fmtInt(s.max)})`
}

function ratioCell(c: CellSummary): string {
  if (c.ratio === undefined) return '–'
  if (c.ratioOf === 'limit') return `${pct(c.ratio)} of ${fmtInt(c.limit)}/s`
  if (c.ratioOf === 'at-least-once') return `${pct(c.ratio)} of ${TX_REFERENCE_ARM}`
  return pct(c.ratio)
}

export function renderMarkdown(results: BenchResults): string {
  const cells = summarize(results)
  const { machine, broker } = results
  const lines: string[] = [
    `# offsetkit-bench results${results.quick ? ' (--quick)' : ''}`,
    '',
    `- Started ${results.startedAt}; wall time ${(results.wallSeconds / 60).toFixed(1)} min; ${results.runsPerCell} run(s) per cell in shuffled order (seed ${results.seed}), ${results.processPerRun === true ? 'each in a process of its own' : 'all in the bench process (RSS includes earlier runs)'}, running ${results.measured === 'dist' ? 'the built packages (dist)' : 'the TypeScript sources through tsx'}.`,
    `- Machine: ${machine.cpuModel}, ${machine.cpus} CPUs, ${machine.memoryGiB} GiB RAM, ${machine.os}, Node ${machine.node}.`,
    `- Broker: Apache Kafka ${broker.version ?? 'unknown'} (${broker.source}), group.coordinator.append.linger.ms = ${broker.appendLingerMs ?? 'unknown'}.`,
    `- Topics (pre-produced; timed records after a discarded warm-up): ${results.shapes
      .filter((s) => results.arms.some((a) => a.shape === s.id))
      .map((s) => `${s.id} = ${s.partitions} partitions × ${s.size} B, ${s.warmup.toLocaleString('en-US')} + ${s.records.toLocaleString('en-US')} records`)
      .join('; ')}.`,
    ...(results.arms.some((a) => a.shape !== 'main')
      ? [`- Arms on the main topic unless marked: ${results.arms
          .filter((a) => a.shape !== 'main')
          .map((a) => `${a.id} → ${a.shape}`)
          .join(', ')}.`]
      : []),
    '',
  ]
  const h = headlines(results, cells)
  lines.push(
    '## Headline ratios',
    '',
    '| client | every:1000 / no-commit | per-message / no-commit | per-message / raw per-message | offsetkit every:1000 / raw every:1000 | offsetkit none / raw none | batch handler every:1000 / raw every:1000 | batch handler none / raw none | unordered c64 / limit | c64 speed-up vs partition order | offsetkit none / Java | raw none / Java | tx every:1000 / every:1000 |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  )
  for (const r of h) {
    lines.push(`| ${r.client} | ${pct(r.batchedVsNoCommit)} | ${pct(r.perMessageVsNoCommit)} | ${pct(r.perMessageVsRaw)} | ${pct(r.offsetkitVsRaw)} | ${pct(r.noCommitVsRaw)} | ${pct(r.batchVsRaw)} | ${pct(r.batchNoCommitVsRaw)} | ${pct(r.c64OfLimit)} | ${r.unorderedSpeedup === undefined ? '–' : `${r.unorderedSpeedup.toFixed(1)}×`} | ${pct(r.noCommitVsJava)} | ${pct(r.rawNoCommitVsJava)} | ${pct(r.txVsAtLeastOnce)} |`)
  }
  lines.push('')
  const java = cells.find((c) => c.client === JAVA)
  if (java !== undefined) {
    lines.push(
      '## Java anchor (Apache Kafka ConsumerPerformance)',
      '',
      '| arm | records/s median (min–max) | MB/s | RSS MiB | status |',
      '|---|---|---|---|---|',
      `| ${java.arm} | ${rateCell(java.rate)} | ${fmt(java.mbPerSec)} | ${fmt(java.rssMiB, 0)} | ${java.status} |`,
      '',
    )
  }
  for (const client of results.clients) {
    lines.push(
      `## ${client}`,
      '',
      '| arm | records/s median (min–max) | ratio | ÷ Java | commits | commit p50 / p99 ms | ELD p99 ms | CPU s | RSS MiB | heap MiB | status |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    )
    for (const c of cells.filter((cell) => cell.client === client)) {
      const latency = c.commitP50Ms === undefined ? '–' : `${fmt(c.commitP50Ms)} / ${fmt(c.commitP99Ms)}`
      lines.push(`| ${c.arm} | ${rateCell(c.rate)} | ${ratioCell(c)} | ${pct(c.ratioToJava)} | ${fmtInt(c.commits)} | ${latency} | ${fmt(c.eldP99Ms)} | ${fmt(c.cpuSeconds, 2)} | ${fmt(c.rssMiB, 0)} | ${fmt(c.heapMiB, 0)} | ${c.status} |`)
    }
    lines.push('')
  }
  const tx = cells.filter((c) => c.transactional)
  if (tx.length > 0) {
    lines.push(
      "## Exactly-once (mode: 'transactional')",
      '',
      `| client | arm | records/s median (min–max) | transactions/s | commit p50 / p99 ms | ÷ at-least-once ${TX_REFERENCE_ARM} | output read_committed | status |`,
      '|---|---|---|---|---|---|---|---|',
    )
    for (const c of tx) {
      const latency = c.commitP50Ms === undefined ? '–' : `${fmt(c.commitP50Ms)} / ${fmt(c.commitP99Ms)}`
      lines.push(`| ${c.client} | ${c.arm} | ${rateCell(c.rate)} | ${fmt(c.commitsPerSec)} | ${latency} | ${pct(c.ratio)} | ${fmtInt(c.outputRecords)} | ${c.status} |`)
    }
    lines.push('')
  }
  lines.push(
    'How to read: ratio = median records/s ÷ the same client\'s no-commit arm (raw loops: ÷ raw none; I/O arms: ÷ the concurrency limit, handlers in parallel × 1000 / handler ms; ' +
      `transactional arms: ÷ the same client's at-least-once ${TX_REFERENCE_ARM}). ÷ Java = median records/s ÷ Apache Kafka's own ConsumerPerformance on the same main topic (arms on other topics: –). ` +
      'Commits = commit requests over the whole run (warm-up and final commit included); latency from commit.started to commit.succeeded (raw loops time their own calls; ' +
      'confluent\'s raw commitOffsets resolves on enqueue); transactions/s = commits acknowledged in the timed window ÷ its length (each commit is one transaction). ' +
      'CPU is the run\'s process (client threads included) over the timed window. Each run has a process of its own: RSS is its peak (maxRSS; Java: VmHWM), heap its peak sampled heapUsed. ' +
      'A run whose committed offsets did not equal the end offsets after close (or whose output, read with read_committed, did not hold exactly one record per consumed input) is FAILED and not timed.',
    '',
  )
  return lines.join('\n')
}

const COLORS: Record<string, string> = { kafkajs: '#4e79a7', confluent: '#f28e2b', 'node-rdkafka': '#59a14f' }
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Grouped bars, arms along x, one bar per client, records/s on a log scale. Hand-written SVG. */
export function renderSvg(results: BenchResults): string {
  const cells = summarize(results)
  const clients = results.clients
  // A ceiling arm is drawn only when its one client was measured.
  const armInfo = results.arms.filter((a) => a.kind !== 'java' && (a.client === undefined || clients.includes(a.client)))
  const arms = armInfo.map((a) => a.id)
  const only = new Map(armInfo.map((a) => [a.id, a.client]))
  const java = cells.find((c) => c.client === JAVA)?.rate?.median
  const bar = 12
  const group = clients.length * bar + 14
  const left = 70
  const top = 40
  const plotH = 320
  const bottom = 130
  const width = left + arms.length * group + 20
  const height = top + plotH + bottom
  const rates = cells.map((c) => c.rate?.median).filter((n): n is number => n !== undefined && n > 0)
  const lo = Math.floor(Math.log10(Math.min(...rates, 100)))
  const hi = Math.ceil(Math.log10(Math.max(...rates, 1000)))
  const y = (v: number): number => top + plotH - ((Math.log10(v) - lo) / (hi - lo)) * plotH
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">offsetkit-bench: records/s per arm (median, log scale)${results.quick ? ' — quick' : ''}</text>`,
    `<text x="${left}" y="34" fill="#555">Kafka ${esc(results.broker.version ?? '?')}, append.linger ${results.broker.appendLingerMs ?? '?'} ms, ${esc(results.machine.cpuModel)} × ${results.machine.cpus}; whiskers = min–max of ${results.runsPerCell} run(s)</text>`,
  ]
  for (let e = lo; e <= hi; e++) {
    const yy = y(10 ** e)
    out.push(`<line x1="${left}" x2="${width - 20}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`, `<text x="${left - 6}" y="${yy + 4}" text-anchor="end">${(10 ** e).toLocaleString('en-US')}</text>`)
  }
  arms.forEach((arm, i) => {
    const x0 = left + i * group + 7
    clients.forEach((client, j) => {
      const one = only.get(arm)
      if (one !== undefined && one !== client) return
      const cell = cells.find((c) => c.client === client && c.arm === arm)
      const x = x0 + j * bar
      const s = cell?.rate
      if (s === undefined || s.median <= 0) {
        out.push(`<text x="${x + bar / 2}" y="${top + plotH - 4}" text-anchor="middle" font-size="8" fill="${COLORS[client] ?? '#888'}" transform="rotate(-90 ${x + bar / 2} ${top + plotH - 4})">n/a</text>`)
        return
      }
      const yy = y(s.median)
      out.push(`<rect x="${x}" y="${yy.toFixed(1)}" width="${bar - 2}" height="${(top + plotH - yy).toFixed(1)}" fill="${COLORS[client] ?? '#888'}"><title>${esc(`${client} ${arm}: ${Math.round(s.median)} records/s`)}</title></rect>`)
      if (s.min !== s.max) {
        const cx = x + (bar - 2) / 2
        out.push(`<line x1="${cx}" x2="${cx}" y1="${y(s.max).toFixed(1)}" y2="${y(Math.max(s.min, 10 ** lo)).toFixed(1)}" stroke="#222"/>`)
      }
    })
    const lx = x0 + (clients.length * bar) / 2
    out.push(`<text x="${lx}" y="${top + plotH + 12}" text-anchor="end" transform="rotate(-40 ${lx} ${top + plotH + 12})">${esc(arm)}</text>`)
  })
  if (java !== undefined && java > 0) {
    const yy = y(java).toFixed(1)
    out.push(
      `<line x1="${left}" x2="${width - 20}" y1="${yy}" y2="${yy}" stroke="#c00" stroke-dasharray="6 4"><title>${esc(`Java ConsumerPerformance: ${Math.round(java)} records/s`)}</title></line>`,
      `<text x="${width - 22}" y="${Number(yy) - 4}" text-anchor="end" fill="#c00">Java ConsumerPerformance</text>`,
    )
  }
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#000"/>`, `<line x1="${left}" x2="${width - 20}" y1="${top + plotH}" y2="${top + plotH}" stroke="#000"/>`)
  clients.forEach((client, j) => {
    const lx = left + j * 120
    out.push(`<rect x="${lx}" y="${height - 18}" width="10" height="10" fill="${COLORS[client] ?? '#888'}"/>`, `<text x="${lx + 14}" y="${height - 9}">${esc(client)}</text>`)
  })
  out.push('</svg>', '')
  return out.join('\n')
}
