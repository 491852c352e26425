import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { consumerArgv, type ConsumerArgs } from './consumer-args.js'
import type { ConsumerEventLine, ConsumerExit } from './verify-run.js'

const program = fileURLToPath(new URL('./consumer-process.ts', import.meta.url))
const packageDir = fileURLToPath(new URL('..', import.meta.url))
// tsx resolves the workspace's @offsetkit/* packages to their sources through the shared paths.
const tsconfig = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url))

// Every consumer process group this runner started, so that its exit never leaves one behind.
const live = new Set<number>()
process.once('exit', () => {
  for (const pid of live) signalGroup(pid, 'SIGKILL')
})

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

/**
 * Loads the consumer program without flags: it must import every client and adapter and exit 2
 * with its usage line. Anything else (a syntax error in a workspace package, a missing native
 * build) would make every run fail at its first join, so the matrix stops before it starts.
 */
export async function checkConsumerProgram(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', program], {
    cwd: packageDir, env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig }, stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => { stderr += chunk })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 2 || !stderr.includes('usage: consumer-process')) {
    throw new Error(`the consumer program does not load (exit ${code}):\n${stderr.split('\n').slice(-12).join('\n')}`)
  }
}

/** One consumer slot: the same record file, instance id and name across restarts. */
export interface ConsumerSlot {
  readonly slot: number
  readonly recordFile: string
  process: ChildProcess | undefined
  sent: 'term' | 'kill' | undefined
  running: boolean
  paused: boolean
  /** Partitions owned, from the process's assigned/revoked/lost lines. */
  readonly owned: Set<number>
  exited: Promise<void>
}

export type FleetArgs = Omit<ConsumerArgs, 'commit' | 'record' | 'instanceId'> & { readonly staticMembership: boolean }

/**
 * The consumer processes of one run. Each runs in its own process group (detached) so signals
 * reach it alone; stderr lines are parsed as events and appended to `consumer-<slot>.log`.
 */
export class ConsumerFleet {
  readonly slots: ConsumerSlot[] = []
  readonly events: ConsumerEventLine[] = []
  readonly exits: ConsumerExit[] = []
  /** The last lines each slot printed that were not events (stack traces, client logs). */
  private readonly tails = new Map<number, string[]>()

  constructor(
    private readonly dir: string,
    private readonly args: FleetArgs,
    private readonly t0: number,
  ) {}

  get recordFiles(): string[] {
    return this.slots.map((s) => s.recordFile)
  }

  get live(): ConsumerSlot[] {
    return this.slots.filter((s) => s.process !== undefined)
  }

  slot(index: number): ConsumerSlot {
    while (this.slots.length <= index) {
      const slot = this.slots.length
      this.slots.push({
        slot, recordFile: join(this.dir, `consumer-${slot}.records`), process: undefined, sent: undefined,
        running: false, paused: false, owned: new Set(), exited: Promise.resolve(),
      })
    }
    return this.slots[index]!
  }

  /** Starts the consumer of `index` (a new process with the slot's record file and instance id). */
  start(index: number): ConsumerSlot {
    const slot = this.slot(index)
    if (slot.process !== undefined) throw new Error(`consumer ${index} is already running`)
    const log = join(this.dir, `consumer-${index}.log`)
    const argv = consumerArgv({
      ...this.args,
      record: slot.recordFile,
      instanceId: this.args.staticMembership ? `${this.args.group}-member-${index}` : undefined,
    })
    const child = spawn(process.execPath, ['--import', 'tsx', program, ...argv], {
      cwd: packageDir,
      env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    const pid = child.pid!
    live.add(pid)
    slot.process = child
    slot.sent = undefined
    slot.running = false
    slot.paused = false
    slot.owned.clear()
    let partial = ''
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => {
      appendFileSync(log, chunk)
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) this.onLine(slot, line)
    })
    slot.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(pid)
        this.exits.push({ slot: index, pid, code, signal, sent: slot.sent })
        this.events.push({ slot: index, event: 'exit', t: Date.now() - this.t0, code, signal })
        if (slot.process === child) {
          slot.process = undefined
          slot.running = false
          slot.owned.clear()
        }
        resolve()
      })
    })
    return slot
  }

  /** The first process that exited without being signalled, with what it printed last. */
  crashed(): { exit: ConsumerExit; tail: string } | undefined {
    const exit = this.exits.find((e) => e.sent === undefined)
    return exit && { exit, tail: (this.tails.get(exit.slot) ?? []).join(' | ') }
  }

  private onLine(slot: ConsumerSlot, line: string): void {
    if (!line.startsWith('{')) {
      const tail = this.tails.get(slot.slot) ?? []
      if (line.trim() !== '') tail.push(line.trim())
      this.tails.set(slot.slot, tail.slice(-3))
      return
    }
    let parsed: Record<string, unknown>
    try {
      parsed = JSON.parse(line) as Record<string, unknown>
    } catch {
      return
    }
    const event = String(parsed.event)
    const partition = typeof parsed.partition === 'number' ? parsed.partition : undefined
    if (event === 'running') slot.running = true
    if (event === 'partition.assigned' && partition !== undefined) slot.owned.add(partition)
    if ((event === 'partition.revoked' || event === 'partition.lost') && partition !== undefined) slot.owned.delete(partition)
    this.events.push({ ...parsed, slot: slot.slot, event, t: (typeof parsed.t === 'number' ? parsed.t : Date.now()) - this.t0 })
  }

  /** SIGTERM: close cleanly (final commit, leave). Resolves once the process exited (SIGKILL after `graceMs`). */
  async stop(index: number, graceMs = 60_000): Promise<void> {
    const slot = this.slot(index)
    const child = slot.process
    if (child === undefined) return
    slot.sent = 'term'
    if (slot.paused) this.resume(index)
    signalGroup(child.pid!, 'SIGTERM')
    const timer = setTimeout(() => {
      this.events.push({ slot: index, event: 'fatal', t: Date.now() - this.t0, kind: 'close', error: `did not exit within ${graceMs} ms of SIGTERM` })
      signalGroup(child.pid!, 'SIGKILL')
    }, graceMs)
    await slot.exited
    clearTimeout(timer)
  }

  /** SIGKILL: a crash. */
  async kill(index: number): Promise<void> {
    const slot = this.slot(index)
    if (slot.process === undefined) return
    slot.sent = 'kill'
    signalGroup(slot.process.pid!, 'SIGKILL')
    await slot.exited
  }

  /** SIGSTOP: the process keeps its sockets but stops heartbeating (a zombie once its session expires). */
  pause(index: number): void {
    const slot = this.slot(index)
    if (slot.process === undefined) return
    slot.paused = true
    signalGroup(slot.process.pid!, 'SIGSTOP')
  }

  resume(index: number): void {
    const slot = this.slot(index)
    if (slot.process === undefined) return
    slot.paused = false
    signalGroup(slot.process.pid!, 'SIGCONT')
  }

  /** Last resort (failures, timeouts): SIGKILL every process group still alive. */
  async killAll(): Promise<void> {
    await Promise.all(this.live.map((s) => this.kill(s.slot)))
  }
}
