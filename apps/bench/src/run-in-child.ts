import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CLOSE_TIMEOUT_MS, type RunOutcome, type RunSpec } from './consume-run.js'

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))
const ENTRY = fileURLToPath(new URL('./run-child-main.ts', import.meta.url))
const TSCONFIG = join(BENCH_DIR, 'tsconfig.json')
const TSCONFIG_RUN = join(BENCH_DIR, 'tsconfig.run.json')

/**
 * What a measured run executes: the BUILT packages (dist, what a user installs) once `pnpm build`
 * made them; before that, the TypeScript sources through tsx (which wraps every function in a
 * naming helper: slower, so the run says so on stderr).
 */
export function measuredCode(): { tsconfig: string; built: boolean } {
  const built = ['commit-core', 'kafkajs', 'confluent', 'node-rdkafka'].every((name) => existsSync(join(BENCH_DIR, '..', '..', 'packages', name, 'dist', 'index.js')))
  return { tsconfig: built ? TSCONFIG_RUN : TSCONFIG, built }
}
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
    // The built @offsetkit/* packages, or (not built yet) their sources through tsconfig paths.
    env: { ...process.env, TSX_TSCONFIG_PATH: measuredCode().tsconfig },
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
