import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CLOSE_TIMEOUT_MS, type RunOutcome, type RunSpec } from './consume-run.js'

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))
const ENTRY = fileURLToPath(new URL('./run-child-main.ts', import.meta.url))
const TSCONFIG = join(BENCH_DIR, 'tsconfig.json')
/** Lines of the child's stderr kept for a failure reason. */
const TAIL = 20

/**
 * Runs one measured run in a process of its own (run-child-main.ts → `consumeRun`) and returns
 * what it reported. The child times itself out; this kills it only if it does not come back well
 * after that.
 */
export async function runInChild(spec: RunSpec): Promise<RunOutcome> {
  const resultFile = join(tmpdir(), `offsetkit-bench-run-${process.pid}-${randomBytes(4).toString('hex')}.json`)
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', ENTRY, JSON.stringify(spec), resultFile], {
    cwd: BENCH_DIR,
    // tsx resolves the workspace's @offsetkit/* packages from source through this tsconfig's paths.
    env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const tail: string[] = []
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    tail.push(...chunk.split('\n').filter((line) => line.trim() !== ''))
    tail.splice(0, Math.max(0, tail.length - TAIL))
  })
  const hardLimitMs = spec.timeoutMs + CLOSE_TIMEOUT_MS * 2 + 30_000
  let killed = false
  const timer = setTimeout(() => {
    killed = true
    child.kill('SIGKILL')
  }, hardLimitMs)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('error', (error) => {
      tail.push(error.message)
      resolve([null, null])
    })
    child.once('exit', (c, s) => resolve([c, s]))
  })
  clearTimeout(timer)
  try {
    return JSON.parse(await readFile(resultFile, 'utf8')) as RunOutcome
  } catch {
    const why = killed ? `killed after ${Math.round(hardLimitMs / 1000)} s` : `exited with ${signal ?? `code ${code}`} without a result`
    return { status: 'failed', processed: 0, reason: `run process ${why}${tail.length > 0 ? `: ${tail.slice(-3).join(' | ')}` : ''}` }
  } finally {
    await rm(resultFile, { force: true })
  }
}
