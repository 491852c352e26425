import type { ClientPort, CommitErrorClass, CommitRequest, EngineRecord, OutputRecord } from '../client-port.js'
import type { ProcessingError } from '../processing-error.js'
import type { TopicPartition } from '../topic-partition.js'

/** An error a fake client throws; the fake port classifies it by `classification`. */
export class FakeClientError extends Error {
  /** @param classification - What `FakePort.classifyCommitError` maps this error to. */
  constructor(readonly classification: CommitErrorClass) {
    super(`fake ${classification}`)
  }
}

/** A promise with its settle functions at hand. */
export interface Deferred {
  /** Settles when `resolve` or `reject` is called. */
  readonly promise: Promise<void>
  /** Fulfils `promise`. */
  resolve(): void
  /** Rejects `promise` with `error`. */
  reject(error: unknown): void
}

/** A new {@link Deferred}, unsettled. */
export function deferred(): Deferred {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A commit waiting for the test's answer (`autoReply = false`). */
export interface PendingCommit {
  /** What core asked to commit. */
  readonly request: CommitRequest
  /** Resolve to make the commit succeed, reject to make it fail. */
  readonly reply: Deferred
}

/**
 * A ClientPort whose commits either succeed at once (`autoReply`) or wait for the test to
 * answer them. Tracks what the "broker" has committed.
 */
export class FakePort implements ClientPort<string> {
  /** leaderEpoch only; `transactions` too when built with `transactional: true`. */
  capabilities = {
    /** Declared: commit entries carry a leader epoch. */
    leaderEpoch: true,
    /** Not declared. */
    commitMetadata: false,
    /** Declared only with `transactional: true`. */
    transactions: false,
  }
  /** Transactional ports: the outputs of committed transactions, in commit order (aborted ones never show). */
  readonly produced: OutputRecord[] = []
  /** Every commit request received, in order. */
  readonly requests: CommitRequest[] = []
  /** Commits waiting for `answer()` (manual-reply mode). */
  readonly pending: PendingCommit[] = []
  /** Committed offsets by `topic:partition` (see `committed()`). */
  readonly broker = new Map<string, bigint>()
  /** The partitions of each `pause` call, in order. */
  readonly pauses: TopicPartition[][] = []
  /** The partitions of each `resume` call, in order. */
  readonly resumes: TopicPartition[][] = []
  /** Every offset passed to `storeOffsets` (built with `storeOffsets: true`). */
  readonly stored: Array<{
    /** Topic. */
    topic: string
    /** Partition. */
    partition: number
    /** The stored commit offset. */
    offset: bigint
  }> = []
  /** Every dead letter produced (built with `deadLetter: true`). */
  readonly deadLettered: Array<{
    /** The record dead-lettered. */
    record: EngineRecord<string>
    /** Its last failure. */
    error: ProcessingError
    /** Handler calls made for it. */
    attempts: number
  }> = []
  /** true: commits succeed at once (or fail per `failures`); false: they wait for `answer()`. */
  autoReply = true
  /** Next replies to fail, in order (auto-reply mode only). */
  failures: CommitErrorClass[] = []
  /** true: `deadLetter` rejects. */
  deadLetterFails = false
  /** The most commits ever outstanding at once (core keeps it at 1). */
  maxOutstanding = 0
  private outstanding = 0

  deadLetter?: (record: EngineRecord<string>, error: ProcessingError, attempts: number) => Promise<void>
  deadLetterOutput?: (record: EngineRecord<string>, error: ProcessingError, attempts: number) => OutputRecord
  storeOffsets?: (offsets: readonly { topic: string; partition: number; offset: bigint }[]) => void

  /**
   * `transactional`: a port for `mode: 'transactional'` whose commit is a transaction (outputs go
   * to `produced` only when it succeeds) and whose dead letters are outputs to `<topic>.dlq`.
   */
  constructor(options: { deadLetter?: boolean; storeOffsets?: boolean; transactional?: boolean } = {}) {
    if (options.transactional === true) {
      this.capabilities = { ...this.capabilities, transactions: true }
      this.deadLetterOutput = (record, error) => ({ topic: `${record.topic}.dlq`, key: null, value: String(record.native), headers: [{ key: 'error', value: error.message }] })
    }
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
        for (const o of request.outputs ?? []) this.produced.push(...o.records)
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

  /** The offset committed for a partition, or undefined when none was. */
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
