// Runs one example as the user would: its own Node process with tsx, configured by environment.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import { waitFor } from '@offsetkit/broker'

const root = fileURLToPath(new URL('../../', import.meta.url))
// A child gets no vitest aliases: tsx maps @offsetkit/* to the workspace sources through the
// paths of this tsconfig (inherited from tsconfig.base.json), so no build is needed.
const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url))

export interface ProcessedRecord {
  readonly partition: number
  readonly offset: bigint
  readonly value: string
}

export interface ExampleProcess {
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string
  /** Its `processed topic[partition]@offset: value` lines, in order. */
  processed(): ProcessedRecord[]
  /** Polls `probe` until it holds; fails at once, with the output, if the example exits meanwhile. */
  until<T>(probe: () => T | Promise<T>, what: string): Promise<Exclude<T, false | undefined>>
  /** Sends `signal` and resolves with the exit code (OFFSETKIT_EXAMPLES_DEBUG=1 prints the output). */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

const PROCESSED = /^processed \S+\[(\d+)\]@(\d+): (.*)$/gm

/** Spawns `examples/<file>` as a user would run it; killed when the test ends if still running. */
function spawnExample(file: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${file}`], {
    cwd: root,
    env: { ...process.env, ...env, TSX_TSCONFIG_PATH: tsconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => { output += chunk })
  }
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const describeExit = (code: number | null) => `${file} exited (code ${code}, signal ${child.signalCode}):\n${output.slice(-4000)}`
  return { child, exited, output: () => output, describeExit }
}

/** Starts `examples/<file>` with `env`, to run until stopped. */
export function startExample(file: string, env: Record<string, string>): ExampleProcess {
  const { child, exited, output: printed, describeExit } = spawnExample(file, env)
  return {
    output: printed,
    processed: () => [...printed().matchAll(PROCESSED)].map(([, partition, offset, value]) => ({
      partition: Number(partition), offset: BigInt(offset!), value: value!,
    })),
    async until(probe, what) {
      let waiting = true
      const early = exited.then((code) => {
        if (waiting) throw new Error(`${describeExit(code)}\nwhile waiting for ${what}`)
        return undefined as never
      })
      try {
        return await Promise.race([waitFor(probe, { what: `${what} (${file})`, timeoutMs: 45_000 }), early])
      } catch (error) {
        if (error instanceof Error && !error.message.includes(' exited (')) error.message += `\n${file} printed:\n${printed().slice(-4000)}`
        throw error
      } finally {
        waiting = false
      }
    },
    async stop(signal = 'SIGTERM') {
      child.kill(signal)
      const code = await exited
      if (process.env.OFFSETKIT_EXAMPLES_DEBUG) console.log(`--- ${file}\n${printed()}`)
      if (code !== 0) throw new Error(describeExit(code))
      return code
    },
  }
}

/** Runs `examples/<file>` to its end; resolves with its output, rejects unless it exits 0. */
export async function runExample(file: string, env: Record<string, string>): Promise<string> {
  const { exited, output, describeExit } = spawnExample(file, env)
  const code = await exited
  if (code !== 0) throw new Error(describeExit(code))
  return output()
}
