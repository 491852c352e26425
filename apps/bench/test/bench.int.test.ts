import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { defaultArms, type Shape } from '../src/bench-plan.js'
import type { BenchResults } from '../src/run-result.js'
import { javaUnavailable } from '../src/java-consumer-perf.js'
import { runBench, rerenderReport } from '../src/run-bench.js'

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

// The whole pipeline on a tiny matrix against the shared broker: produce, measure, verify the
// committed offsets, write JSON/Markdown/SVG, re-render. Speed is never asserted here.
describe('offsetkit-bench bench (tiny matrix)', () => {
  it('measures, verifies and reports every cell of two clients', async () => {
    const { bootstrapServers } = inject('kafka')
    const out = await mkdtemp(join(tmpdir(), 'offsetkit-bench-'))
    dirs.push(out)
    const shapes: Shape[] = [
      { id: 'main', partitions: 2, size: 50, warmup: 200, records: 2_000 },
      { id: 'slow', partitions: 2, size: 50, warmup: 10, records: 60 },
      { id: 'io', partitions: 2, size: 50, warmup: 64, records: 640 },
    ]
    const keep = new Set(['none', 'auto', 'per-message', 'every:100', 'interval:100', 'unordered c64 10ms', 'tx every:100', 'raw none', 'raw every:1000', 'raw auto'])
    const arms = defaultArms().filter((a) => keep.has(a.id))
    const { results, markdown } = await runBench(
      { command: 'bench', brokers: bootstrapServers, quick: true, clients: ['kafkajs', 'node-rdkafka'], arms: undefined, out, runs: 1, seed: 1, records: undefined },
      { shapes, arms },
    )
    const failed = results.runs.filter((r) => r.status !== 'ok')
    expect(failed).toEqual([])
    // auto is n/a on kafkajs, so one cell fewer there.
    expect(results.runs).toHaveLength(arms.length * 2 - 1)
    expect(results.unsupported).toEqual([expect.objectContaining({ client: 'kafkajs', arm: 'auto' })])
    for (const r of results.runs) {
      // Each run had a process of its own.
      expect(r.rssMiB).toBeGreaterThan(0)
      expect(r.heapMiB).toBeGreaterThan(0)
      if (r.arm === 'tx every:100') expect(r.output).toEqual({ records: 2_200, distinctInputs: 2_200 })
      expect(r.records).toBe(shapes.find((s) => s.id === (arms.find((a) => a.id === r.arm)?.shape ?? ''))?.records)
      expect(r.recordsPerSec).toBeGreaterThan(0)
      if (r.arm === 'none' || r.arm === 'raw none') expect(r.commits).toBe(0)
      // Sync per-message commits may cover both partitions at once, never fewer than one per record per partition.
      if (r.arm === 'per-message') expect(r.commits).toBeGreaterThanOrEqual(35)
    }
    expect(markdown).toContain('## node-rdkafka')
    const saved = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as BenchResults
    expect(saved.runs).toHaveLength(results.runs.length)
    expect(await readFile(join(out, 'chart.svg'), 'utf8')).toContain('</svg>')
    expect(await rerenderReport(out)).toBe(markdown)
  })

  // Its own topic: Java reads a tiny topic from one fetch in a few polls, too fast for progress
  // lines to span a window. 11 MB over 4 partitions takes several fetches.
  it('runs the Java anchor on the same broker, cuts its warm-up and checks its committed offsets', async ({ skip }) => {
    if ((await javaUnavailable()) !== undefined) return skip('no java on PATH')
    const { bootstrapServers } = inject('kafka')
    const out = await mkdtemp(join(tmpdir(), 'offsetkit-bench-'))
    dirs.push(out)
    const shapes: Shape[] = [{ id: 'main', partitions: 4, size: 200, warmup: 5_000, records: 50_000 }]
    const { results, markdown } = await runBench(
      { command: 'bench', brokers: bootstrapServers, quick: true, clients: ['kafkajs'], arms: undefined, out, runs: 1, seed: 1, records: undefined },
      { shapes, arms: defaultArms().filter((a) => a.id === 'java' || a.id === 'none') },
    )
    expect(results.runs.filter((r) => r.status !== 'ok')).toEqual([])
    const java = results.runs.find((r) => r.client === 'java')
    expect(java?.records).toBeGreaterThan(40_000)
    expect(java?.records).toBeLessThanOrEqual(50_000)
    expect(java?.mbPerSec).toBeGreaterThan(0)
    expect(markdown).toContain('## Java anchor (Apache Kafka ConsumerPerformance)')
    expect(markdown).toMatch(/\| none \| [0-9,]+ \| 100\.0 % \| [0-9.]+ % \|/)
  })
})
