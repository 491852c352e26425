import { describe, expect, it } from 'vitest'
import { renderResults } from '../src/render-results.js'
import { renderTimelineSvg } from '../src/render-timeline-svg.js'
import type { RunResult } from '../src/run-scenario.js'

const run = (overrides: Partial<RunResult>): RunResult => ({
  scenario: 'zombie-member', client: 'confluent', protocol: 'classic', status: 'pass', reasons: [], lost: 0, duplicates: 3,
  duplicateBound: 618, duplicateBoundRule: '', stalls: 1, warnings: 2, regressions: 0, revocations: 4, produced: 2000, processed: 2003,
  faults: [], wallMs: 12_400, timeline: undefined, ...overrides,
})

describe('renderResults', () => {
  it('has one row per run: pass, FAIL with its reasons, declared gap with its reason', () => {
    const md = renderResults({
      startedAt: '2026-12-02T08:00:00.000Z', wallMs: 60_000, broker: 'Apache Kafka 4.1.1 (local KRaft)', argv: ['--quick'],
      runs: [
        run({}),
        run({ client: 'kafkajs', status: 'fail', reasons: ['83 duplicates > bound 0', 'a | pipe'] }),
        run({ scenario: 'static-bounce', client: 'kafkajs', status: 'gap', reasons: ['no group.instance.id'] }),
      ],
    })
    expect(md).toContain('1 pass, 1 FAIL, 1 declared gap')
    expect(md).toContain('| zombie-member | confluent | classic | pass | 0 | 3 (618) | 1 | 2 | 0 | 4 | 2000 | 12 |')
    expect(md).toContain('| **FAIL**: 83 duplicates > bound 0; a \\| pipe |')
    expect(md).toContain('| static-bounce | kafkajs | classic | declared gap: no group.instance.id |')
  })
})

describe('renderTimelineSvg', () => {
  it('draws the three series with gaps where the broker could not be read, and the faults', () => {
    const svg = renderTimelineSvg({
      title: 'broker-freeze <x>',
      ok: false,
      faults: [{ t: 1500, label: 'freeze b1', hard: true }, { t: 2500, label: 'thaw b1', hard: false }],
      samples: [
        { t: 0, ends: [10, 10], committed: [undefined, undefined], consumed: [0, 0] },
        { t: 1000, ends: [20, 20], committed: [10, 10], consumed: [15, 15] },
        { t: 2000, ends: undefined, committed: undefined, consumed: [20, 20] },
        { t: 3000, ends: [40, 40], committed: [40, 40], consumed: [40, 40] },
      ],
    })
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('broker-freeze &lt;x&gt; — FAIL')
    expect(svg).toContain('>freeze b1<')
    expect(svg).toContain('stroke="#ff7f0e"')
    const paths = [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]!)
    expect(paths).toHaveLength(3)
    // produced: a gap at t=2000 → the line restarts with M.
    expect(paths[0]!.match(/M/g)).toHaveLength(2)
    // consumed was read every time: one unbroken line.
    expect(paths[1]!.match(/M/g)).toHaveLength(1)
  })
})

describe('renderResults: long failures', () => {
  it('shows the first four reasons and points at results.json for the rest', () => {
    const reasons = Array.from({ length: 6 }, (_, i) => `reason ${i}`)
    const md = renderResults({ startedAt: 'x', wallMs: 0, broker: 'b', argv: [], runs: [run({ status: 'fail', reasons })] })
    expect(md).toContain('**FAIL**: reason 0; reason 1; reason 2; reason 3; +2 more in results.json |')
  })
})
