import type { ClientName } from './parse-args.js'
import type { BenchResults, RunResult } from './run-result.js'
import { median, spread, type Spread } from './stats.js'

/** One (client, arm) cell of the matrix, summarised over its runs. */
export interface CellSummary {
  readonly client: ClientName
  readonly arm: string
  readonly kind: 'offsetkit' | 'raw'
  /** Median and range of records/s over the runs that passed. */
  readonly rate: Spread | undefined
  /** Median rate / the same client's no-commit arm; for I/O arms, median rate / the concurrency limit. */
  readonly ratio: number | undefined
  readonly ratioOf: 'no-commit' | 'limit'
  readonly limit: number | undefined
  readonly commits: number | undefined
  readonly commitP50Ms: number | undefined
  readonly commitP99Ms: number | undefined
  readonly eldP99Ms: number | undefined
  readonly cpuSeconds: number | undefined
  readonly rssMiB: number | undefined
  readonly ok: number
  readonly runs: number
  readonly status: string
}

const numbers = (runs: readonly RunResult[], pick: (r: RunResult) => number | null): number[] =>
  runs.map(pick).filter((n): n is number => n !== null)

/** Records/s ceiling of an I/O-bound arm: handlers in parallel × (1000 / handler ms). */
function limitOf(results: BenchResults, armId: string): number | undefined {
  const arm = results.arms.find((a) => a.id === armId)
  if (arm === undefined || arm.workMs === 0) return undefined
  const partitions = results.shapes.find((s) => s.id === arm.shape)?.partitions ?? 1
  return ((arm.concurrency ?? partitions) * 1000) / arm.workMs
}

export function summarize(results: BenchResults): CellSummary[] {
  const cells: CellSummary[] = []
  for (const client of results.clients) {
    const mine = results.runs.filter((r) => r.client === client)
    const baselineOf = (arm: string): number | undefined => median(mine.filter((r) => r.arm === arm && r.status === 'ok').map((r) => r.recordsPerSec))
    // offsetkit arms compare with offsetkit's no-commit arm, raw loops with the raw no-commit loop.
    const baselines = { offsetkit: baselineOf('none'), raw: baselineOf('raw none') }
    for (const arm of results.arms) {
      const runs = mine.filter((r) => r.arm === arm.id)
      const ok = runs.filter((r) => r.status === 'ok')
      const unsupported = results.unsupported.find((u) => u.client === client && u.arm === arm.id)
      const rate = spread(ok.map((r) => r.recordsPerSec))
      const limit = limitOf(results, arm.id)
      const reference = limit ?? baselines[arm.kind]
      const failures = runs.filter((r) => r.status === 'failed')
      let status: string
      if (unsupported !== undefined) status = `n/a (${unsupported.reason})`
      else if (runs.length === 0) status = 'not run'
      else if (failures.length === 0) status = `ok ${ok.length}/${runs.length}`
      else status = `FAILED ${failures.length}/${runs.length}: ${failures[0]?.reason ?? ''}`
      cells.push({
        client,
        arm: arm.id,
        kind: arm.kind,
        rate,
        ratio: rate === undefined || reference === undefined ? undefined : rate.median / reference,
        ratioOf: limit === undefined ? 'no-commit' : 'limit',
        limit,
        commits: median(numbers(ok, (r) => r.commits)),
        commitP50Ms: median(numbers(ok, (r) => r.commitP50Ms)),
        commitP99Ms: median(numbers(ok, (r) => r.commitP99Ms)),
        eldP99Ms: median(numbers(ok, (r) => r.eldP99Ms)),
        cpuSeconds: median(numbers(ok, (r) => r.cpuSeconds)),
        rssMiB: median(numbers(ok, (r) => r.rssMiB)),
        ok: ok.length,
        runs: runs.length,
        status,
      })
    }
  }
  return cells
}

/** The comparisons the issue asks for, per client (undefined when a side is missing). */
export interface Headline {
  readonly client: ClientName
  readonly batchedVsNoCommit: number | undefined
  readonly perMessageVsNoCommit: number | undefined
  readonly offsetkitVsRaw: number | undefined
  readonly noCommitVsRaw: number | undefined
  readonly c64OfLimit: number | undefined
  readonly unorderedSpeedup: number | undefined
}

export function headlines(results: BenchResults, cells = summarize(results)): Headline[] {
  return results.clients.map((client) => {
    const rate = (arm: string): number | undefined => cells.find((c) => c.client === client && c.arm === arm)?.rate?.median
    const div = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a / b)
    const c64 = results.arms.find((a) => a.concurrency === 64)
    const ordered = results.arms.find((a) => a.workMs > 0 && a.concurrency === null)
    return {
      client,
      batchedVsNoCommit: div(rate('every:1000'), rate('none')),
      perMessageVsNoCommit: div(rate('per-message'), rate('none')),
      offsetkitVsRaw: div(rate('every:1000'), rate('raw every:1000')),
      noCommitVsRaw: div(rate('none'), rate('raw none')),
      c64OfLimit: c64 === undefined ? undefined : cells.find((c) => c.client === client && c.arm === c64.id)?.ratio,
      unorderedSpeedup: c64 === undefined || ordered === undefined ? undefined : div(rate(c64.id), rate(ordered.id)),
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

export function renderMarkdown(results: BenchResults): string {
  const cells = summarize(results)
  const { machine, broker } = results
  const lines: string[] = [
    `# offsetkit-bench results${results.quick ? ' (--quick)' : ''}`,
    '',
    `- Started ${results.startedAt}; wall time ${(results.wallSeconds / 60).toFixed(1)} min; ${results.runsPerCell} run(s) per cell in shuffled order (seed ${results.seed}).`,
    `- Machine: ${machine.cpuModel}, ${machine.cpus} CPUs, ${machine.memoryGiB} GiB RAM, ${machine.os}, Node ${machine.node}.`,
    `- Broker: Apache Kafka ${broker.version ?? 'unknown'} (${broker.source}), group.coordinator.append.linger.ms = ${broker.appendLingerMs ?? 'unknown'}.`,
    `- Topics (pre-produced; timed records after a discarded warm-up): ${results.shapes
      .map((s) => `${s.id} = ${s.partitions} partitions × ${s.size} B, ${s.warmup.toLocaleString('en-US')} + ${s.records.toLocaleString('en-US')} records`)
      .join('; ')}.`,
    `- Arms on the main topic unless marked: ${results.arms
      .filter((a) => a.shape !== 'main')
      .map((a) => `${a.id} → ${a.shape}`)
      .join(', ')}.`,
    '',
  ]
  const h = headlines(results, cells)
  lines.push('## Headline ratios', '', '| client | every:1000 / no-commit | per-message / no-commit | offsetkit every:1000 / raw every:1000 | offsetkit none / raw none | unordered c64 / limit | c64 speed-up vs partition order |', '|---|---|---|---|---|---|---|')
  for (const r of h) {
    lines.push(`| ${r.client} | ${pct(r.batchedVsNoCommit)} | ${pct(r.perMessageVsNoCommit)} | ${pct(r.offsetkitVsRaw)} | ${pct(r.noCommitVsRaw)} | ${pct(r.c64OfLimit)} | ${r.unorderedSpeedup === undefined ? '–' : `${r.unorderedSpeedup.toFixed(1)}×`} |`)
  }
  lines.push('')
  for (const client of results.clients) {
    lines.push(`## ${client}`, '', '| arm | records/s median (min–max) | ratio | commits | commit p50 / p99 ms | ELD p99 ms | CPU s | RSS MiB | status |', '|---|---|---|---|---|---|---|---|---|')
    for (const c of cells.filter((cell) => cell.client === client)) {
      const ratio = c.ratio === undefined ? '–' : c.ratioOf === 'limit' ? `${pct(c.ratio)} of ${fmtInt(c.limit)}/s` : pct(c.ratio)
      const latency = c.commitP50Ms === undefined ? '–' : `${fmt(c.commitP50Ms)} / ${fmt(c.commitP99Ms)}`
      lines.push(`| ${c.arm} | ${rateCell(c.rate)} | ${ratio} | ${fmtInt(c.commits)} | ${latency} | ${fmt(c.eldP99Ms)} | ${fmt(c.cpuSeconds, 2)} | ${fmt(c.rssMiB, 0)} | ${c.status} |`)
    }
    lines.push('')
  }
  lines.push(
    'How to read: ratio = median records/s ÷ the same client\'s no-commit arm (raw loops: ÷ raw none; I/O arms: ÷ the concurrency limit, handlers in parallel × 1000 / handler ms). ' +
      'Commits = commit requests over the whole run (warm-up and final commit included); latency from commit.started to commit.succeeded (raw loops time their own calls; ' +
      'confluent\'s raw commitOffsets resolves on enqueue). CPU is the whole process (client threads included) over the timed window; RSS is the peak. ' +
      'A run whose committed offsets did not equal the end offsets after close is FAILED and not timed.',
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
  const arms = results.arms.map((a) => a.id)
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
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#000"/>`, `<line x1="${left}" x2="${width - 20}" y1="${top + plotH}" y2="${top + plotH}" stroke="#000"/>`)
  clients.forEach((client, j) => {
    const lx = left + j * 120
    out.push(`<rect x="${lx}" y="${height - 18}" width="10" height="10" fill="${COLORS[client] ?? '#888'}"/>`, `<text x="${lx + 14}" y="${height - 9}">${esc(client)}</text>`)
  })
  out.push('</svg>', '')
  return out.join('\n')
}
