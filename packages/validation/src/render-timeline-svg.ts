import type { Fault } from './run-scenario.js'
import type { OffsetSample } from './verify-run.js'

export interface TimelineInput {
  readonly title: string
  readonly samples: readonly OffsetSample[]
  readonly faults: readonly Fault[]
  readonly ok: boolean
}

const W = 900
const H = 360
const PAD = { left: 70, right: 20, top: 40, bottom: 50 }

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const sum = (values: readonly (number | undefined)[] | undefined): number | undefined =>
  values === undefined ? undefined : values.reduce<number>((a, b) => a + (b ?? 0), 0)

/** Produced (log end), consumed (record-file lines) and committed offsets over time, with fault markers. */
export function renderTimelineSvg({ title, samples, faults, ok }: TimelineInput): string {
  const series = [
    { name: 'produced (log end)', color: '#1f77b4', points: samples.map((s) => [s.t, sum(s.ends)] as const) },
    { name: 'consumed (records processed)', color: '#2ca02c', points: samples.map((s) => [s.t, sum(s.consumed)] as const) },
    { name: 'committed', color: '#d62728', points: samples.map((s) => [s.t, sum(s.committed)] as const) },
  ]
  const tMax = Math.max(1000, ...samples.map((s) => s.t), ...faults.map((f) => f.t))
  const yMax = Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y ?? 0)))
  const x = (t: number): number => PAD.left + (t / tMax) * (W - PAD.left - PAD.right)
  const y = (v: number): number => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom)
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${PAD.left}" y="20" font-size="14" font-weight="bold">${escape(title)} — ${ok ? 'pass' : 'FAIL'}</text>`,
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#333"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#333"/>`,
  ]
  for (let i = 0; i <= 4; i++) {
    const v = Math.round((yMax * i) / 4)
    parts.push(`<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`)
    const t = (tMax * i) / 4
    parts.push(`<text x="${x(t)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${(t / 1000).toFixed(0)} s</text>`)
  }
  parts.push(`<text x="14" y="${(H - PAD.bottom + PAD.top) / 2}" transform="rotate(-90 14 ${(H - PAD.bottom + PAD.top) / 2})" text-anchor="middle">records (sum over partitions)</text>`)
  for (const [i, fault] of faults.entries()) {
    const fx = x(fault.t)
    parts.push(`<line x1="${fx}" y1="${PAD.top}" x2="${fx}" y2="${H - PAD.bottom}" stroke="${fault.hard ? '#ff7f0e' : '#999'}" stroke-dasharray="4 3"/>`)
    parts.push(`<text x="${fx + 3}" y="${PAD.top + 10 + (i % 4) * 12}" fill="${fault.hard ? '#c55a00' : '#666'}">${escape(fault.label)}</text>`)
  }
  for (const s of series) {
    // A failed broker read leaves a gap in the line rather than a drop to zero.
    let d = ''
    let pen = false
    for (const [t, v] of s.points) {
      if (v === undefined) { pen = false; continue }
      d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`
      pen = true
    }
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`)
  }
  series.forEach((s, i) => {
    const lx = PAD.left + i * 220
    parts.push(`<rect x="${lx}" y="${H - 18}" width="12" height="3" fill="${s.color}"/><text x="${lx + 16}" y="${H - 14}">${escape(s.name)}</text>`)
  })
  parts.push(`<text x="${W - PAD.right}" y="${H - 14}" text-anchor="end" fill="#c55a00">dashed: faults (orange = hard)</text>`)
  parts.push('</svg>')
  return parts.join('\n')
}
