import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { defaultArms, type Shape } from '../src/bench-plan.js'
import type { BenchResults } from '../src/run-result.js'
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
    const keep = new Set(['none', 'auto', 'per-message', 'every:100', 'interval:100', 'unordered c64 10ms', 'raw none', 'raw every:1000', 'raw auto'])
    const arms = defaultArms().filter((a) => keep.has(a.id))
    const { results, markdown } = await runBench(
      { command: 'bench', brokers: bootstrapServers, quick: true, clients: ['kafkajs', 'node-rdkafka'], out, runs: 1, seed: 1 },
      { shapes, arms },
    )
    const failed = results.runs.filter((r) => r.status !== 'ok')
    expect(failed).toEqual([])
    // auto is n/a on kafkajs, so one cell fewer there.
    expect(results.runs).toHaveLength(arms.length * 2 - 1)
    expect(results.unsupported).toEqual([expect.objectContaining({ client: 'kafkajs', arm: 'auto' })])
    for (const r of results.runs) {
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
})
