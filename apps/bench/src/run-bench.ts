import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { cpus, release, totalmem, type as osType } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { performance } from 'node:perf_hooks'
import { JAVA, type BenchClient } from './bench-clients.js'
import { BenchKafka } from './bench-kafka.js'
import { allArms, defaultArms, makePlan, type Arm, type Shape } from './bench-plan.js'
import { javaUnavailable } from './java-consumer-perf.js'
import { ensureKafkaToolsJars } from './kafka-tools-jars.js'
import { measureRun, type PreparedTopic } from './measure-run.js'
import { measuredCode } from './run-in-child.js'
import type { BenchCommand } from './parse-args.js'
import { ProgressBar } from './progress-bar.js'
import { renderMarkdown, renderSvg, summarize } from './render-report.js'
import type { BenchResults, MachineInfo, RunResult } from './run-result.js'
import { withBroker } from './with-broker.js'

export function machineInfo(): MachineInfo {
  const list = cpus()
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown CPU',
    cpus: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
  }
}

export async function writeReport(dir: string, results: BenchResults): Promise<string> {
  await mkdir(dir, { recursive: true })
  const markdown = renderMarkdown(results)
  // `cells`: the summary the tables show (medians, ratios to no-commit, to Java, to every:1000).
  // A figure that could not be computed is null in the file, not a missing key.
  const json = JSON.stringify({ ...results, cells: summarize(results) }, (_key, value: unknown) => (value === undefined ? null : value), 2)
  await writeFile(join(dir, 'results.json'), `${json}\n`)
  await writeFile(join(dir, 'results.md'), markdown)
  await writeFile(join(dir, 'chart.svg'), renderSvg(results))
  return markdown
}

/** `report DIR`: re-render results.md and chart.svg from results.json. */
export async function rerenderReport(dir: string): Promise<string> {
  const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as BenchResults
  return writeReport(dir, results)
}

/**
 * Each run has its own process (which collects before it starts); a full GC here as well keeps
 * the bench process's own garbage from being collected while a run is timed. `--expose-gc` cannot
 * be passed through `pnpm bench`, hence the flag at runtime.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as (() => void) | undefined
  gc?.()
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

/** The kafka-tools jars for the Java anchor, or why it cannot run (then it is n/a, not failed). */
async function prepareJava(version: string): Promise<{ lib: string } | { reason: string }> {
  const missing = await javaUnavailable()
  if (missing !== undefined) return { reason: missing }
  try {
    return { lib: await ensureKafkaToolsJars(version) }
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) }
  }
}

/**
 * The matrix: one broker, one pre-produced topic per shape, then every run of every cell one at a
 * time (2 cores: never two measurements at once), each in a process of its own, in shuffled order.
 */
export async function runBench(
  command: BenchCommand,
  /** Smaller matrices for tests; the CLI runs the default arms (filtered by --arms) and shapes. */
  matrix: { readonly shapes?: readonly Shape[]; readonly arms?: readonly Arm[] } = {},
): Promise<{ dir: string; markdown: string; results: BenchResults }> {
  const startedAt = new Date()
  const began = performance.now()
  const selected = command.arms
  const arms = (matrix.arms ?? (selected === undefined ? defaultArms() : allArms())).filter((a) => selected === undefined || selected.includes(a.id))
  const plan = makePlan({ quick: command.quick, clients: command.clients, runs: command.runs, seed: command.seed, records: command.records, ...matrix, arms })
  const dir = command.out ?? join('bench-results', startedAt.toISOString().replace(/[:.]/g, '-'))
  log(`offsetkit-bench: ${plan.tasks.length} runs (${plan.clients.join(', ')}; ${plan.arms.length} arms; ${plan.runs} per cell; seed ${plan.seed}) → ${dir}`)
  const code = measuredCode()
  log(code.built
    ? 'measuring the built packages (dist)'
    : 'measuring the TypeScript sources through tsx (slower than the built packages): run `pnpm build` first for figures a user would see')

  return withBroker(command.brokers, log, async (broker) => {
    const kafka = new BenchKafka(broker.bootstrapServers)
    const topics = new Map<Shape['id'], PreparedTopic>()
    const runs: RunResult[] = []
    const unsupported: Array<{ client: BenchClient; arm: string; reason: string }> = [...plan.unsupported]
    let tasks = plan.tasks
    let javaLib: string | undefined
    if (tasks.some((t) => t.client === JAVA)) {
      // Resolved before anything is produced or timed (the first resolution downloads for a while).
      const java = await prepareJava(broker.version ?? process.env.KAFKA_VERSION ?? '4.1.1')
      if ('lib' in java) javaLib = java.lib
      else {
        log(`java arm: n/a (${java.reason})`)
        unsupported.push({ client: JAVA, arm: JAVA, reason: java.reason })
        tasks = tasks.filter((t) => t.client !== JAVA)
      }
    }
    try {
      const needed = plan.shapes.filter((shape) => plan.arms.some((arm) => arm.shape === shape.id))
      for (const shape of needed) {
        const topic = `offsetkit-bench-${shape.id}-${Date.now().toString(36)}`
        const messages = shape.warmup + shape.records
        const t = performance.now()
        // The producer runs here, before any measurement, never while a consumer is timed.
        await kafka.produceTopic(topic, { partitions: shape.partitions, messages, size: shape.size, transactional: false })
        topics.set(shape.id, { topic, shape, ends: await kafka.endOffsets(topic) })
        log(`produced ${messages.toLocaleString('en-US')} × ${shape.size} B into ${topic} (${shape.partitions} partitions) in ${Math.round(performance.now() - t)} ms`)
      }
      const bar = new ProgressBar(tasks.length)
      bar.update(0, 'starting')
      for (const [i, task] of tasks.entries()) {
        const prepared = topics.get(task.arm.shape)
        if (prepared === undefined) throw new Error(`no topic for shape ${task.arm.shape}`)
        collectGarbage()
        const result = await measureRun(task, prepared, kafka, javaLib)
        runs.push(result)
        const what = result.status === 'ok' ? `${Math.round(result.recordsPerSec).toLocaleString('en-US')} rec/s` : `FAILED: ${result.reason ?? ''}`
        bar.update(i + 1, `${task.client === JAVA ? JAVA : `${task.client} ${task.arm.id}`} #${task.run}: ${what}`)
      }
      bar.finish()
    } finally {
      await kafka.deleteTopics([...topics.values()].map((t) => t.topic))
      await kafka.close()
    }
    const results: BenchResults = {
      startedAt: startedAt.toISOString(),
      wallSeconds: Math.round((performance.now() - began) / 100) / 10,
      machine: machineInfo(),
      broker,
      quick: plan.quick,
      runsPerCell: plan.runs,
      seed: plan.seed,
      clients: plan.clients,
      shapes: plan.shapes,
      arms: plan.arms.map((a) => ({ id: a.id, kind: a.kind, shape: a.shape, workMs: a.workMs, concurrency: a.concurrency ?? null, transactional: a.transactional, ...(a.batch === true ? { batch: true } : {}), ...(a.variant === undefined ? {} : { client: a.variant.client }) })),
      unsupported,
      runs,
      processPerRun: true,
      measured: code.built ? 'dist' : 'source',
    }
    const markdown = await writeReport(dir, results)
    return { dir, markdown, results }
  })
}
