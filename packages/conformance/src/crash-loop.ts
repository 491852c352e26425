import { fork, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from '@offsetkit/broker'
import { KafkaHarness } from './kafka-harness.js'

export interface CrashLoopOptions {
  factoryModule: string
  bootstrapServers: string
  groupProtocol: 'classic' | 'consumer'
  topic: string
  groupId: string
  total: number
  /** Kill the child (SIGKILL) once the record file holds this many lines; one entry per kill. */
  killAfter: readonly number[]
  offsetkit: Record<string, unknown>
  /** Simulated work per record in the child. */
  workMs: number
  /** Exactly-once runs: the adapter's transactional id; each record sends one output to `outputTopic`. */
  transactionalId?: string
  outputTopic?: string
  /** The child prints membership events on stdout (see crash-child.ts). */
  events?: boolean
}

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url))
const root = fileURLToPath(new URL('../../../', import.meta.url))

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []
}

function exited(process: ChildProcess): Promise<number | null> {
  return process.exitCode !== null || process.signalCode !== null
    ? Promise.resolve(process.exitCode)
    : new Promise((resolve) => process.once('exit', (code) => resolve(code)))
}

export interface CrashLoopResult {
  /** Every processed-record line (`partition offset`), in order. */
  readonly lines: string[]
  readonly kills: number
  /**
   * Per kill: distinct records processed at or beyond the offset the broker held as committed
   * once the child was dead, i.e. what a restart must redo (read back from the broker).
   */
  readonly uncommittedAtKill: number[]
}

/**
 * Runs the consumer in a child process, SIGKILLs it at each `killAfter` mark, restarts it, and
 * finally lets it finish and close gracefully. Returns every processed-record line and, per kill,
 * how much processed work the broker's committed offsets did not cover.
 */
/** A consumer child process (crash-child.ts) consuming through the adapter under test. */
export function forkConsumerChild(options: Omit<CrashLoopOptions, 'total' | 'killAfter'>, recordFile: string): ChildProcess {
  return fork(child, [JSON.stringify({ ...options, recordFile })], {
    execArgv: ['--import', 'tsx'],
    // tsx resolves the workspace's @offsetkit/* source paths from the shared tsconfig.
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
}

/** The processed-record lines of a child's record file (none while it does not exist). */
export function recordLines(file: string): string[] {
  return lines(file)
}

export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopResult> {
  const dir = mkdtempSync(join(tmpdir(), 'offsetkit-crash-'))
  const recordFile = join(dir, 'processed.log')
  const start = () => forkConsumerChild(options, recordFile)
  const output: string[] = []
  // OFFSETKIT_CRASH_DEBUG=1 prints what the children printed (their commit events) at exit.
  if (process.env.OFFSETKIT_CRASH_DEBUG) process.on('exit', () => console.log(output.join('')))
  const started = (): ChildProcess => {
    const running = start()
    for (const stream of [running.stdout, running.stderr]) stream?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    return running
  }
  /** A child that exits by itself (not killed by us) failed: surface what it printed. */
  const failed = (running: ChildProcess) => {
    if (running.exitCode === null) return
    throw new Error(`the consumer child exited with ${running.exitCode} on its own:\n${output.join('').slice(-3000)}`)
  }
  let kills = 0
  const uncommittedAtKill: number[] = []
  const harness = new KafkaHarness(options.bootstrapServers)
  try {
    for (const mark of options.killAfter) {
      const running = started()
      await waitFor(() => lines(recordFile).length >= mark || running.exitCode !== null, { what: `${mark} records processed`, timeoutMs: 120_000 })
      failed(running)
      running.kill('SIGKILL')
      await exited(running)
      kills++
      // A commit the child sent just before dying may still be applied: read once it settled.
      const committed = await settledCommitted(harness, options.groupId, options.topic)
      const done = new Set(lines(recordFile))
      uncommittedAtKill.push([...done].filter((line) => {
        const [partition, offset] = line.split(' ')
        return BigInt(offset as string) >= (committed.get(Number(partition)) ?? 0n)
      }).length)
    }
    const last = started()
    await waitFor(() => new Set(lines(recordFile)).size >= options.total || last.exitCode !== null, { what: 'every record processed', timeoutMs: 120_000 })
    failed(last)
    last.kill('SIGTERM')
    const code = await exited(last)
    if (code !== 0) throw new Error(`the last consumer did not close cleanly (exit ${code}):\n${output.join('').slice(-3000)}`)
    return { lines: lines(recordFile), kills, uncommittedAtKill }
  } finally {
    await harness.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The group's committed offsets once two reads 200 ms apart agree. */
async function settledCommitted(harness: KafkaHarness, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const read = async () => new Map([...(await harness.committedOffsets(groupId, topic))].flatMap(([p, o]) => (o === undefined ? [] : [[p, o] as const])))
  let before = await read()
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    const now = await read()
    if ([...now].every(([p, o]) => before.get(p) === o) && now.size === before.size) return now
    before = now
  }
}
