import type { ClientPort, CommitErrorClass, CommitRequest, EngineRecord } from '../client-port.js'
import type { ProcessingError } from '../processing-error.js'
import type { TopicPartition } from '../topic-partition.js'

/** An error a fake client throws; the fake port classifies it by `classification`. */
export class FakeClientError extends Error {
  constructor(readonly classification: CommitErrorClass) {
    super(`fake ${classification}`)
  }
}

/** A promise with its settle functions at hand. */
export interface Deferred {
  readonly promise: Promise<void>
  resolve(): void
  reject(error: unknown): void
}

export function deferred(): Deferred {
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
