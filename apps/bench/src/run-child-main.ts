// A run's own process: `node --expose-gc --import tsx src/run-child-main.ts SPEC_JSON RESULT_FILE`.
// The bench process spawns one per measured run, so each run's peak RSS and heap are its own.
import { writeFileSync } from 'node:fs'
import { consumeRun, type RunOutcome, type RunSpec } from './consume-run.js'
import type { MemoryPeaks } from './run-meter.js'

const HEAP_SAMPLE_MS = 100
const MiB = 2 ** 20

const [specJson, resultFile] = process.argv.slice(2)
if (specJson === undefined || resultFile === undefined) {
  process.stderr.write('usage: run-child-main.ts SPEC_JSON RESULT_FILE\n')
  process.exit(2)
}
const spec = JSON.parse(specJson) as RunSpec

let peakHeap = 0
const sampleHeap = (): void => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
}
const peaks = (): MemoryPeaks => {
  sampleHeap()
  // maxRSS is in KiB on every platform Node supports.
  return { rssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10, heapMiB: Math.round((peakHeap / MiB) * 10) / 10 }
}

// A full GC before the run: what loading the modules left is not the run's.
;(globalThis as { gc?: () => void }).gc?.()
sampleHeap()
const timer = setInterval(sampleHeap, HEAP_SAMPLE_MS)
timer.unref()
let outcome: RunOutcome
try {
  outcome = await consumeRun(spec, peaks)
} catch (error) {
  outcome = { status: 'failed', processed: 0, reason: error instanceof Error ? error.message : String(error) }
}
clearInterval(timer)
writeFileSync(resultFile, JSON.stringify(outcome))
// Kafka clients keep sockets and native threads alive after close; the run is done.
process.exit(0)
