import { describe, expect, it } from 'vitest'
import { headlines, renderMarkdown, renderSvg, summarize } from '../src/render-report.js'
import type { BenchResults, RunResult } from '../src/run-result.js'

function run(arm: string, recordsPerSec: number, extra: Partial<RunResult> = {}): RunResult {
  return {
    client: 'kafkajs', arm, kind: arm.startsWith('raw') ? 'raw' : 'offsetkit', run: 1, status: 'ok', records: 1000, seconds: 1000 / recordsPerSec,
    recordsPerSec, commits: 5, commitP50Ms: 6, commitP99Ms: 9, commitsPerSec: 4, eldP99Ms: 2, cpuSeconds: 0.5, rssMiB: 200, heapMiB: 40, wallSeconds: 2, ...extra,
  }
}

const results: BenchResults = {
  startedAt: '2026-01-01T00:00:00.000Z',
  wallSeconds: 100,
  machine: { cpuModel: 'Test CPU', cpus: 2, memoryGiB: 8, os: 'Linux', node: 'v20.19.0' },
  broker: { bootstrapServers: 'h:1', source: 'local', version: '4.1.1', appendLingerMs: 5 },
  quick: false,
  runsPerCell: 3,
  seed: 7,
  processPerRun: true,
  clients: ['kafkajs'],
  shapes: [{ id: 'main', partitions: 4, size: 200, warmup: 10, records: 1000 }, { id: 'io', partitions: 4, size: 200, warmup: 10, records: 1000 }],
  arms: [
    { id: 'java', kind: 'java', shape: 'main', workMs: 0, concurrency: null, transactional: false },
    { id: 'none', kind: 'offsetkit', shape: 'main', workMs: 0, concurrency: null },
    { id: 'auto', kind: 'offsetkit', shape: 'main', workMs: 0, concurrency: null },
    { id: 'per-message', kind: 'offsetkit', shape: 'main', workMs: 0, concurrency: null },
    { id: 'every:1000', kind: 'offsetkit', shape: 'main', workMs: 0, concurrency: null },
    { id: 'partition 10ms', kind: 'offsetkit', shape: 'io', workMs: 10, concurrency: null },
    { id: 'unordered c64 10ms', kind: 'offsetkit', shape: 'io', workMs: 10, concurrency: 64 },
    { id: 'raw none', kind: 'raw', shape: 'main', workMs: 0, concurrency: null },
    { id: 'raw every:1000', kind: 'raw', shape: 'main', workMs: 0, concurrency: null },
    { id: 'raw per-message', kind: 'raw', shape: 'slow', workMs: 0, concurrency: null },
    { id: 'batch none', kind: 'offsetkit', shape: 'main', workMs: 0, concurrency: null, batch: true },
    { id: 'raw none consume(1000)', kind: 'raw', shape: 'main', workMs: 0, concurrency: null, client: 'node-rdkafka' },
    { id: 'tx every:1000', kind: 'offsetkit', shape: 'main', workMs: 0, concurrency: null, transactional: true },
  ],
  unsupported: [{ client: 'kafkajs', arm: 'auto', reason: 'no offset store' }],
  runs: [
    run('none', 100_000), run('none', 90_000, { run: 2 }), run('none', 110_000, { run: 3 }),
    run('per-message', 500),
    run('every:1000', 98_000), run('every:1000', 0, { run: 2, status: 'failed', reason: 'offsets: p0 committed 5 ≠ end 9' }),
    run('partition 10ms', 380),
    run('unordered c64 10ms', 6_080),
    run('raw none', 120_000),
    run('raw every:1000', 100_000),
    run('raw per-message', 520),
    run('batch none', 114_000),
    run('tx every:1000', 49_000, { commitsPerSec: 12.5, output: { records: 1010, distinctInputs: 1010 } }),
    run('java', 400_000, { client: 'java', kind: 'java', commits: null, commitP50Ms: null, commitP99Ms: null, commitsPerSec: null, eldP99Ms: null, cpuSeconds: null, rssMiB: 300, heapMiB: null, mbPerSec: 80 }),
  ],
}

describe('summarize', () => {
  it('takes the median over passed runs and compares with the no-commit arm', () => {
    const cells = summarize(results)
    const none = cells.find((c) => c.arm === 'none')
    expect(none?.rate).toEqual({ median: 100_000, min: 90_000, max: 110_000 })
    expect(none?.ratio).toBe(1)
    const every = cells.find((c) => c.arm === 'every:1000')
    expect(every?.rate?.median).toBe(98_000)
    expect(every?.ratio).toBeCloseTo(0.98)
    expect(every?.status).toBe('FAILED 1/2: offsets: p0 committed 5 ≠ end 9')
    expect(cells.find((c) => c.arm === 'auto')?.status).toBe('n/a (no offset store)')
    const c64 = cells.find((c) => c.arm === 'unordered c64 10ms')
    expect(c64?.ratioOf).toBe('limit')
    expect(c64?.limit).toBe(6400)
    expect(c64?.ratio).toBeCloseTo(0.95)
    expect(cells.find((c) => c.arm === 'partition 10ms')?.limit).toBe(400)
    expect(cells.find((c) => c.arm === 'raw every:1000')?.ratio).toBeCloseTo(100 / 120)
    // A ceiling arm has cells on its one client only (this report's client is kafkajs).
    expect(cells.find((c) => c.arm === 'raw none consume(1000)')).toBeUndefined()
  })

  it('compares every arm on the main topic with the Java anchor, and transactional arms with at-least-once every:1000', () => {
    const cells = summarize(results)
    expect(cells[0]).toMatchObject({ client: 'java', arm: 'java', kind: 'java', mbPerSec: 80, rssMiB: 300, heapMiB: undefined, status: 'ok 1/1' })
    expect(cells.find((c) => c.client === 'kafkajs' && c.arm === 'none')?.ratioToJava).toBeCloseTo(0.25)
    expect(cells.find((c) => c.arm === 'raw none')?.ratioToJava).toBeCloseTo(0.3)
    // Arms on another topic than Java's have no Java ratio.
    expect(cells.find((c) => c.arm === 'unordered c64 10ms')?.ratioToJava).toBeUndefined()
    const tx = cells.find((c) => c.arm === 'tx every:1000')
    expect(tx).toMatchObject({ transactional: true, ratioOf: 'at-least-once', commitsPerSec: 12.5, outputRecords: 1010 })
    expect(tx?.ratio).toBeCloseTo(0.5)
    expect(cells.filter((c) => c.client === 'java')).toHaveLength(1)
  })

  it('without a Java run the Java ratios are missing, not zero', () => {
    const cells = summarize({ ...results, runs: results.runs.filter((r) => r.client !== 'java'), unsupported: [...results.unsupported, { client: 'java', arm: 'java', reason: 'no working `java` on PATH' }] })
    expect(cells[0]?.status).toBe('n/a (no working `java` on PATH)')
    expect(cells.every((c) => c.ratioToJava === undefined)).toBe(true)
  })

  it('headline ratios', () => {
    const [h] = headlines(results)
    expect(h?.batchedVsNoCommit).toBeCloseTo(0.98)
    expect(h?.perMessageVsNoCommit).toBeCloseTo(0.005)
    expect(h?.perMessageVsRaw).toBeCloseTo(500 / 520)
    expect(h?.batchNoCommitVsRaw).toBeCloseTo(114 / 120)
    expect(h?.batchVsRaw).toBeUndefined()
    expect(h?.offsetkitVsRaw).toBeCloseTo(0.98)
    expect(h?.noCommitVsRaw).toBeCloseTo(100 / 120)
    expect(h?.c64OfLimit).toBeCloseTo(0.95)
    expect(h?.unorderedSpeedup).toBeCloseTo(16)
    expect(h?.noCommitVsJava).toBeCloseTo(0.25)
    expect(h?.rawNoCommitVsJava).toBeCloseTo(0.3)
    expect(h?.txVsAtLeastOnce).toBeCloseTo(0.5)
  })
})

describe('renderers', () => {
  it('markdown has the context, the table and the failures', () => {
    const md = renderMarkdown(results)
    expect(md).toContain('Apache Kafka 4.1.1 (local), group.coordinator.append.linger.ms = 5')
    expect(md).toContain('Test CPU, 2 CPUs')
    expect(md).toContain('(seed 7), each in a process of its own, running the TypeScript sources through tsx.')
    expect(renderMarkdown({ ...results, processPerRun: false, measured: 'dist' })).toContain('(seed 7), all in the bench process (RSS includes earlier runs), running the built packages (dist).')
    expect(md).toContain('| none | 100,000 (90,000–110,000) | 100.0 % | 25.0 % | 5 | 6.0 / 9.0 | 2.0 | 0.50 | 200 | 40 | ok 3/3 |')
    expect(md).toContain('| unordered c64 10ms | 6,080 | 95.0 % of 6,400/s | – |')
    expect(md).toContain('| tx every:1000 | 49,000 | 50.0 % of every:1000 | 12.3 % |')
    expect(md).toContain('## Java anchor (Apache Kafka ConsumerPerformance)')
    expect(md).toContain('| java | 400,000 | 80.0 | 300 | ok 1/1 |')
    expect(md).toContain("## Exactly-once (mode: 'transactional')")
    expect(md).toContain('| kafkajs | tx every:1000 | 49,000 | 12.5 | 6.0 / 9.0 | 50.0 % | 1,010 | ok 1/1 |')
    expect(md).toContain('| kafkajs | 98.0 % | 0.5 % | 96.2 % | 98.0 % | 83.3 % | – | 95.0 % | 95.0 % | 16.0× | 25.0 % | 30.0 % | 50.0 % |')
    expect(md).toContain('n/a (no offset store)')
    expect(md).toContain('FAILED 1/2')
  })

  it('svg draws one bar per measured cell and marks the missing ones', () => {
    const svg = renderSvg(results)
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(10)
    expect(svg).toContain('kafkajs none: 100000 records/s')
    expect(svg).toContain('Java ConsumerPerformance: 400000 records/s')
    expect(svg).toContain('>n/a<')
    expect(svg).not.toContain('raw none consume(1000)')
    expect(svg.trim().endsWith('</svg>')).toBe(true)
  })
})
