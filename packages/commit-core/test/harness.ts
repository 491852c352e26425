import {
  createCommitEngine,
  FakeClock,
  flushMicrotasks,
  offsetFromBigInt,
  type ClientPort,
  type CommitEngine,
  type CommitEngineOptions,
  type CommitErrorClass,
  type CommitRequest,
  type EngineRecord,
  type Logger,
  type ProcessingError,
  type TopicPartition,
} from '../src/index.js'

/** An error a fake client throws; the fake port classifies it by `classification`. */
export class FakeClientError extends Error {
  constructor(readonly classification: CommitErrorClass) {
    super(`fake ${classification}`)
  }
}

interface Deferred {
  readonly promise: Promise<void>
  resolve(): void
  reject(error: unknown): void
}

function deferred(): Deferred {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

export interface PendingCommit {
  readonly request: CommitRequest
  readonly reply: Deferred
}

/**
 * A ClientPort whose commits either succeed at once (`autoReply`) or wait for the test to
 * answer them. Tracks what the "broker" has committed.
 */
export class FakePort implements ClientPort<string> {
  capabilities = { leaderEpoch: true, commitMetadata: false, transactions: false }
  readonly requests: CommitRequest[] = []
  readonly pending: PendingCommit[] = []
  readonly broker = new Map<string, bigint>()
  readonly pauses: TopicPartition[][] = []
  readonly resumes: TopicPartition[][] = []
  readonly stored: Array<{ topic: string; partition: number; offset: bigint }> = []
  readonly deadLettered: Array<{ record: EngineRecord<string>; error: ProcessingError; attempts: number }> = []
  autoReply = true
  /** Next replies to fail, in order (auto-reply mode only). */
  failures: CommitErrorClass[] = []
  deadLetterFails = false
  maxOutstanding = 0
  private outstanding = 0

  deadLetter?: (record: EngineRecord<string>, error: ProcessingError, attempts: number) => Promise<void>
  storeOffsets?: (offsets: readonly { topic: string; partition: number; offset: bigint }[]) => void

  constructor(options: { deadLetter?: boolean; storeOffsets?: boolean } = {}) {
    if (options.deadLetter === true) {
      this.deadLetter = async (record, error, attempts) => {
        if (this.deadLetterFails) throw new Error('dlq down')
        this.deadLettered.push({ record, error, attempts })
      }
    }
    if (options.storeOffsets === true) {
      this.storeOffsets = (offsets) => {
        for (const o of offsets) this.stored.push({ topic: o.topic, partition: o.partition, offset: o.offset })
      }
    }
  }

  commit(request: CommitRequest): Promise<void> {
    this.requests.push(request)
    this.outstanding++
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding)
    const reply = deferred()
    const settled = reply.promise.then(
      () => {
        this.outstanding--
        for (const o of request.offsets) this.broker.set(`${o.topic}:${o.partition}`, o.offset)
      },
      (error: unknown) => {
        this.outstanding--
        throw error
      },
    )
    if (this.autoReply) {
      const failure = this.failures.shift()
      if (failure === undefined) reply.resolve()
      else reply.reject(new FakeClientError(failure))
    } else {
      this.pending.push({ request, reply })
    }
    return settled
  }

  classifyCommitError(error: unknown): CommitErrorClass {
    return error instanceof FakeClientError ? error.classification : 'fatal'
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.pauses.push([...partitions])
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.resumes.push([...partitions])
  }

  committed(topic: string, partition: number): bigint | undefined {
    return this.broker.get(`${topic}:${partition}`)
  }

  /** Answers the oldest outstanding commit (manual-reply mode). */
  answer(outcome: 'ok' | CommitErrorClass = 'ok'): PendingCommit {
    const next = this.pending.shift()
    if (next === undefined) throw new Error('no outstanding commit to answer')
    if (outcome === 'ok') next.reply.resolve()
    else next.reply.reject(new FakeClientError(outcome))
    return next
  }
}

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
