import { createCommitEngine, offsetFromBigInt, type CommitEngine, type CommitEngineOptions, type EngineRecord, type Logger } from '../src/index.js'
import { deferred, FakeClock, FakePort, flushMicrotasks, type Deferred } from '@offsetkit/commit-core/testing'

export { FakeClientError, FakePort, type PendingCommit } from '@offsetkit/commit-core/testing'

export function record(topic: string, partition: number, offset: number | bigint, extra: Partial<EngineRecord<string>> = {}): EngineRecord<string> {
  return { topic, partition, offset: offsetFromBigInt(BigInt(offset)), native: `${topic}:${partition}:${offset}`, ...extra }
}

export function records(topic: string, partition: number, offsets: ReadonlyArray<number | bigint>): EngineRecord<string>[] {
  return offsets.map((o) => record(topic, partition, o))
}

export function range(from: number, to: number): number[] {
  const out: number[] = []
  for (let i = from; i < to; i++) out.push(i)
  return out
}

/** A logger that remembers everything (and lets tests assert nothing unexpected was logged). */
export function memoryLogger(): Logger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = []
  const at = (level: string) => (message: string) => {
    lines.push({ level, message })
  }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** A handler whose calls the test settles by hand. */
export class ManualHandler {
  readonly calls: Array<{ record: EngineRecord<string>; attempt: number; signal: AbortSignal; ack: () => boolean; reply: Deferred }> = []

  readonly handle = (rec: EngineRecord<string>, context: { attempt: number; signal: AbortSignal; ack(): boolean }): Promise<void> => {
    const reply = deferred()
    this.calls.push({ record: rec, attempt: context.attempt, signal: context.signal, ack: () => context.ack(), reply })
    return reply.promise
  }

  /** The pending call for `offset` (latest attempt). */
  call(offset: number | bigint, partition?: number): ManualHandler['calls'][number] {
    const found = [...this.calls].reverse().find((c) => c.record.offset === BigInt(offset) && (partition === undefined || c.record.partition === partition))
    if (found === undefined) throw new Error(`handler was not called for offset ${offset}`)
    return found
  }

  offsets(): bigint[] {
    return this.calls.map((c) => c.record.offset)
  }
}

export interface Setup {
  readonly clock: FakeClock
  readonly port: FakePort
  readonly engine: CommitEngine<string>
  readonly logger: ReturnType<typeof memoryLogger>
}

export function setup(
  options: Partial<CommitEngineOptions<string>> = {},
  port: FakePort = new FakePort({ deadLetter: true, storeOffsets: true }),
): Setup {
  const clock = new FakeClock(1_000)
  const logger = memoryLogger()
  const engine = createCommitEngine<string>({ port, clock, logger, handler: () => {}, ...options })
  return { clock, port, engine, logger }
}

export const tick = flushMicrotasks
export const T = 't'
