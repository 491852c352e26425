import type { RunResult } from './run-scenario.js'

export interface ResultsDocument {
  readonly startedAt: string
  readonly wallMs: number
  readonly broker: string
  readonly argv: readonly string[]
  readonly runs: readonly RunResult[]
}

const SHOWN_REASONS = 4

function cell(result: RunResult): string {
  if (result.status === 'gap') return `declared gap: ${result.reasons.join('; ')}`
  if (result.status === 'pass') return 'pass'
  // The table stays readable: the first reasons, the rest in results.json.
  const shown = result.reasons.slice(0, SHOWN_REASONS).map((r) => (r.length > 240 ? `${r.slice(0, 240)}…` : r))
  const more = result.reasons.length - shown.length
  return `**FAIL**: ${[...shown, ...(more > 0 ? [`+${more} more in results.json`] : [])].join('; ').replace(/\|/g, '\\|')}`
}

/** results.md: one row per scenario × client × protocol. */
export function renderResults(doc: ResultsDocument): string {
  const count = (status: RunResult['status']): number => doc.runs.filter((r) => r.status === status).length
  const lines = [
    '# offsetkit validation results',
    '',
    `${doc.startedAt} · ${doc.broker} · ${(doc.wallMs / 1000).toFixed(0)} s wall · ${count('pass')} pass, ${count('fail')} FAIL, ${count('gap')} declared gap`,
    `\`offsetkit-validate ${doc.argv.join(' ')}\``,
    '',
    'Verified from the record files and the broker only: lost = offsets below the final log end that no consumer processed;',
    'duplicates = processings beyond the first (bound: 0 for clean faults, else consumers hit × (2 commit windows + partitions), plus what was processed during a broker outage until commits resumed);',
    'regressions = committed offsets (sampled every second and after close) that went back; stalls = commit.stalled/partition.starved lines.',
    '',
    '| scenario | client | protocol | result | lost | duplicates (bound) | stalls | warnings | regressions | revocations | produced | wall s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const r of doc.runs) {
    const dup = r.status === 'gap' ? '' : `${r.duplicates} (${r.duplicateBound})`
    const n = (v: number): string => (r.status === 'gap' ? '' : String(v))
    lines.push(`| ${r.scenario} | ${r.client} | ${r.protocol} | ${cell(r)} | ${n(r.lost)} | ${dup} | ${n(r.stalls)} | ${n(r.warnings)} | ${n(r.regressions)} | ${n(r.revocations)} | ${n(r.produced)} | ${r.status === 'gap' ? '' : (r.wallMs / 1000).toFixed(0)} |`)
  }
  lines.push('', 'Timelines: one SVG per run next to this file; per-run consumer logs and events under runs/.', '')
  return lines.join('\n')
}
