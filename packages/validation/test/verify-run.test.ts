import { describe, expect, it } from 'vitest'
import { addRecordLines, type Processed } from '../src/record-files.js'
import { processedUntilCommitsResume, verifyRun, type RunEvidence } from '../src/verify-run.js'

const topic = 't'

function processed(...lines: string[]): Processed {
  const map: Processed = new Map()
  addRecordLines(map, lines.join('\n'), topic)
  return map
}

/** Two partitions, 3 records each, every one processed once, committed to the end. */
function clean(overrides: Partial<RunEvidence> = {}): RunEvidence {
  return {
    partitions: 2,
    ends: [3, 3],
    committed: [3, 3],
    processed: processed('t 0 0', 't 0 1', 't 0 2', 't 1 0', 't 1 1', 't 1 2'),
    samples: [
      { t: 1000, ends: [2, 2], committed: [1, undefined], consumed: [1, 0] },
      { t: 2000, ends: [3, 3], committed: [2, 2], consumed: [2, 2] },
    ],
    exits: [{ slot: 0, pid: 10, code: 0, signal: null, sent: 'term' }],
    events: [],
    duplicateBound: 0,
    ...overrides,
  }
}

describe('verifyRun', () => {
  it('passes a clean run', () => {
    const verdict = verifyRun(clean())
    expect(verdict).toMatchObject({ ok: true, lost: 0, duplicates: 0, regressions: 0, produced: 6, processedLines: 6 })
  })

  it('counts every offset below the log end that no record file holds as lost', () => {
    const verdict = verifyRun(clean({ processed: processed('t 0 0', 't 0 2', 't 1 0', 't 1 1', 't 1 2', 'other 0 1') }))
    expect(verdict.ok).toBe(false)
    expect(verdict.lost).toBe(1)
    expect(verdict.reasons).toContain('lost 1 of partition 0 (offsets 1)')
  })

  it('finds a partition nobody consumed (and reports ranges)', () => {
    const verdict = verifyRun(clean({ processed: processed('t 0 0', 't 0 1', 't 0 2') }))
    expect(verdict.lost).toBe(3)
    expect(verdict.reasons).toContain('lost 3 of partition 1 (offsets 0-2)')
  })

  it('ignores torn and foreign lines', () => {
    const map = processed('t 0 0', 't 0', 'x 0 1', 't 0 1 extra', 't a 1')
    expect([...(map.get(0)?.keys() ?? [])]).toEqual([0])
  })

  it('counts duplicates and fails only beyond the bound', () => {
    const doubled = processed('t 0 0', 't 0 1', 't 0 1', 't 0 2', 't 0 2', 't 1 0', 't 1 1', 't 1 2')
    expect(verifyRun(clean({ processed: doubled }))).toMatchObject({ ok: false, duplicates: 2 })
    expect(verifyRun(clean({ processed: doubled })).reasons).toContain('2 duplicates > bound 0')
    expect(verifyRun(clean({ processed: doubled, duplicateBound: 2 }))).toMatchObject({ ok: true, duplicates: 2 })
  })

  it('fails when the committed offset after close is not the log end', () => {
    const verdict = verifyRun(clean({ committed: [3, undefined] }))
    expect(verdict.ok).toBe(false)
    expect(verdict.reasons).toContain('partition 1: committed nothing after close, log end 3')
  })

  it('accepts an empty partition with nothing committed', () => {
    expect(verifyRun(clean({ partitions: 3, ends: [3, 3, 0], committed: [3, 3, undefined] })).ok).toBe(true)
  })

  it('detects a committed offset that went back between samples, across rebalances', () => {
    const samples = [
      { t: 1000, ends: [3, 3], committed: [2, 1], consumed: [2, 1] },
      { t: 2000, ends: [3, 3], committed: [undefined, 1], consumed: [2, 1] }, // a failed read: no regression
      { t: 3000, ends: [3, 3], committed: [1, 2], consumed: [3, 2] },
    ]
    const verdict = verifyRun(clean({ samples }))
    expect(verdict.regressions).toBe(1)
    expect(verdict.reasons).toContain('partition 0: committed offset went back from 2 to 1 at 3.0 s')
  })

  it('detects a regression at the final read', () => {
    const verdict = verifyRun(clean({ ends: [3, 3], committed: [3, 3], samples: [{ t: 1000, ends: [4, 3], committed: [4, 3], consumed: [4, 3] }] }))
    expect(verdict.regressions).toBe(1)
    expect(verdict.reasons).toContain('partition 0: committed offset went back from 4 to 3 at the final read')
  })

  it('fails on a consumer that exited on its own, or not 0 after SIGTERM, but not on a SIGKILL', () => {
    const exits = [
      { slot: 0, pid: 1, code: 0, signal: null, sent: 'term' as const },
      { slot: 1, pid: 2, code: null, signal: 'SIGKILL', sent: 'kill' as const },
      { slot: 2, pid: 3, code: 1, signal: null, sent: 'term' as const },
      { slot: 3, pid: 4, code: 1, signal: null, sent: undefined },
    ]
    const verdict = verifyRun(clean({ exits }))
    expect(verdict.reasons).toEqual([
      'consumer 2 (pid 3) exited 1 after SIGTERM, not 0',
      'consumer 3 (pid 4) exited on its own (1)',
    ])
  })

  it('reports unhandled errors and counts stalls and warnings from the consumers\' event lines', () => {
    const events = [
      { slot: 0, event: 'commit.stalled', t: 1 },
      { slot: 0, event: 'partition.starved', t: 2 },
      { slot: 1, event: 'commit.failed', t: 3 },
      { slot: 1, event: 'partition.revoked', t: 4 },
      { slot: 1, event: 'fatal', t: 5, kind: 'unhandledRejection', error: 'boom' },
    ]
    const verdict = verifyRun(clean({ events }))
    expect(verdict).toMatchObject({ stalls: 2, warnings: 2, revocations: 1 })
    expect(verdict.reasons).toEqual(['consumer 1: unhandled error (unhandledRejection: boom)'])
  })

  it('fails when an acked record is beyond the log end', () => {
    expect(verifyRun(clean({ acked: [3, 4] })).reasons).toEqual(['partition 1: the producer had 4 acked, the log ends at 3'])
  })

  it('finds a partition that made no progress in the window', () => {
    const samples = [
      { t: 1000, ends: [3, 3], committed: [1, 0], consumed: [2, 0] },
      { t: 5000, ends: [3, 3], committed: [3, 3], consumed: [3, 3] },
    ]
    expect(verifyRun(clean({ samples, progressBy: 2000 })).reasons).toEqual(['partition 1 processed nothing in the first 2 s (others: 2 records)'])
    expect(verifyRun(clean({ samples, progressBy: 5000 })).ok).toBe(true)
  })
})

describe('verifyRun: commits while consuming', () => {
  it('fails when a partition shows no commit before the final close', () => {
    const samples = [
      { t: 1000, ends: [3, 3], committed: [undefined, undefined], consumed: [1, 1] },
      { t: 2000, ends: [3, 3], committed: [2, undefined], consumed: [3, 3] },
    ]
    expect(verifyRun(clean({ samples, liveCommitsBy: 7500 })).reasons).toEqual(['partition 1: nothing committed while consuming (2 samples before the final close)'])
    expect(verifyRun(clean({ samples: [...samples, { t: 7400, ends: [3, 3], committed: [3, 1], consumed: [3, 3] }], liveCommitsBy: 7500 })).ok).toBe(true)
    // Nor one that processed fewer records than asked for.
    expect(verifyRun(clean({ samples, liveCommitsBy: 7500, liveCommitsMinRecords: 4 })).ok).toBe(true)
    // A partition first processed less than 5 s before the final phase is not held to it.
    expect(verifyRun(clean({ samples, liveCommitsBy: 5500 })).ok).toBe(true)
  })
})

describe('processedUntilCommitsResume', () => {
  const samples = [
    { t: 1000, ends: [10], committed: [5], consumed: [8] },
    { t: 2000, ends: undefined, committed: undefined, consumed: [20] }, // broker down
    { t: 3000, ends: [40], committed: [5], consumed: [30] },
    { t: 4000, ends: [50], committed: [30], consumed: [45] },
    { t: 5000, ends: [60], committed: [45], consumed: [60] },
  ]

  it('counts what was processed from the outage until a committed offset moved again', () => {
    expect(processedUntilCommitsResume(samples, 1500)).toBe(45 - 8)
  })

  it('counts to the end when commits never resumed', () => {
    expect(processedUntilCommitsResume(samples.slice(0, 3), 1500)).toBe(30 - 8)
  })
})
