// The transactional commit against a stubbed node-rdkafka Producer: which client calls happen in
// which order, and how each failure is classified. Nothing connects.
import { commitOffsetFromNumber, noopLogger, type PartitionOutputs } from '@offsetkit/commit-core'
import Kafka from 'node-rdkafka'
import type { KafkaConsumer, LibrdKafkaError } from 'node-rdkafka'
import { describe, expect, it, vi } from 'vitest'
import { classifyNodeRdkafkaCommitError, NodeRdkafkaTransactionError } from '../src/index.js'
import { NodeRdkafkaTransactions } from '../src/node-rdkafka-transactions.js'

const { ERRORS } = Kafka.CODES
type Flags = { isFatal?: boolean; isRetriable?: boolean; isTxnRequiresAbort?: boolean }
const rdError = (code: number, flags: Flags = {}): LibrdKafkaError & Error =>
  Object.assign(new Error(`code ${code}`), { code, errno: code, origin: 'local', isFatal: false, isRetriable: false, isTxnRequiresAbort: false, ...flags })

type Callback = (error: LibrdKafkaError | null) => void
/** Each client call answers from its script, in order; a missing answer is success. */
interface Script {
  begin?: Array<LibrdKafkaError | null>
  sendOffsets?: Array<LibrdKafkaError | null>
  commit?: Array<LibrdKafkaError | null>
  abort?: Array<LibrdKafkaError | null>
  produce?: Array<Error | null>
  /** Runs when commitTransaction is called: its flush is when delivery reports come. */
  flushed?: () => void
}

const consumer = {} as KafkaConsumer
const offsets = [{ topic: 'in', partition: 0, offset: commitOffsetFromNumber(3) }]
const outputs: PartitionOutputs[] = [{
  topic: 'in', partition: 0, records: [
    { topic: 'out', key: 'k0', value: 'v0', headers: [{ key: 'h', value: 'x' }] },
    { topic: 'out', key: null, value: new Uint8Array([1, 2]), partition: 2, headers: [] },
  ],
}]

function setUp(script: Script = {}) {
  const calls: string[] = []
  const failed = vi.fn()
  const transactions = new NodeRdkafkaTransactions({
    producerConfig: { 'metadata.broker.list': '127.0.0.1:1', 'transactional.id': 'unit' }, connectTimeoutMs: 1000, logger: noopLogger, onFailed: failed,
  })
  const producer = transactions.producer
  const answer = (name: 'begin' | 'sendOffsets' | 'commit' | 'abort') => (...args: unknown[]) => {
    calls.push(name)
    if (name === 'commit') script.flushed?.()
    const cb = args[args.length - 1] as Callback
    const error = script[name]?.shift() ?? null
    setImmediate(() => cb(error))
  }
  vi.spyOn(producer, 'beginTransaction').mockImplementation(answer('begin'))
  const sendOffsets = vi.spyOn(producer, 'sendOffsetsToTransaction').mockImplementation(answer('sendOffsets'))
  vi.spyOn(producer, 'commitTransaction').mockImplementation(answer('commit'))
  vi.spyOn(producer, 'abortTransaction').mockImplementation(answer('abort'))
  const produce = vi.spyOn(producer, 'produce').mockImplementation(() => {
    calls.push('produce')
    const error = script.produce?.shift()
    if (error) throw error
    return true
  })
  /** A delivery report for the n-th produce call, as the client would emit it. */
  const report = (n: number, error: LibrdKafkaError) => producer.emit('delivery-report', error, { opaque: produce.mock.calls[n]?.[5] } as never)
  return { transactions, calls, failed, produce, sendOffsets, report }
}

async function rejection(promise: Promise<void>): Promise<NodeRdkafkaTransactionError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(NodeRdkafkaTransactionError)
  return error as NodeRdkafkaTransactionError
}

describe('NodeRdkafkaTransactions.commit', () => {
  it('begins, produces every output in order, sends the offsets as numbers with the consumer, commits', async () => {
    const { transactions, calls, produce, sendOffsets } = setUp()
    await transactions.commit(offsets, outputs, consumer)
    expect(calls).toEqual(['begin', 'produce', 'produce', 'sendOffsets', 'commit'])
    const [first, second] = produce.mock.calls
    expect(first?.slice(0, 4)).toEqual(['out', null, Buffer.from('v0'), Buffer.from('k0')])
    expect(first?.[6]).toEqual([{ h: Buffer.from('x') }])
    expect(second?.slice(0, 4)).toEqual(['out', 2, Buffer.from([1, 2]), null])
    expect(sendOffsets.mock.calls[0]?.slice(0, 2)).toEqual([[{ topic: 'in', partition: 0, offset: 3 }], consumer])
  })

  it('calls commitTransaction again on a retriable error (same transaction: nothing is re-produced)', async () => {
    const { transactions, calls } = setUp({ commit: [rdError(ERRORS.ERR__TIMED_OUT, { isRetriable: true })] })
    await transactions.commit(offsets, outputs, consumer)
    expect(calls).toEqual(['begin', 'produce', 'produce', 'sendOffsets', 'commit', 'commit'])
  })

  it('a commit still failing retriably has an unknown outcome: fatal, never aborted, and the producer is done', async () => {
    const timeout = () => rdError(ERRORS.ERR__TIMED_OUT, { isRetriable: true })
    const { transactions, calls, failed } = setUp({ commit: [timeout(), timeout(), timeout()] })
    const error = await rejection(transactions.commit(offsets, outputs, consumer))
    expect(error).toMatchObject({ classification: 'fatal', stage: 'commit', aborted: false })
    expect(error.message).toMatch(/outcome is unknown/)
    expect(calls).not.toContain('abort')
    expect(failed).toHaveBeenCalledOnce()
    const later = await rejection(transactions.commit(offsets, outputs, consumer))
    expect(later).toMatchObject({ classification: 'fatal', stage: 'producer-failed' })
    expect(calls.filter((c) => c === 'begin')).toHaveLength(1)
  })

  it('outputs that failed delivery: aborts, then classifies by the delivery error (message timed out → retriable)', async () => {
    const setup = setUp({
      commit: [rdError(ERRORS.ERR__INCONSISTENT, { isTxnRequiresAbort: true })],
      flushed: () => {
        setup.report(1, rdError(ERRORS.ERR__PURGE_QUEUE)) // purged by the abort: a consequence, not the cause
        setup.report(0, rdError(ERRORS.ERR__MSG_TIMED_OUT))
      },
    })
    const error = await rejection(setup.transactions.commit(offsets, outputs, consumer))
    expect(setup.calls.slice(-2)).toEqual(['commit', 'abort'])
    expect(error).toMatchObject({ classification: 'retriable', stage: 'commit', aborted: true })
    expect((error.cause as LibrdKafkaError).code).toBe(ERRORS.ERR__MSG_TIMED_OUT)
    expect(classifyNodeRdkafkaCommitError(error)).toBe('retriable')
  })

  it.each([
    ['ERR_ILLEGAL_GENERATION', 'fenced'],
    ['ERR_UNKNOWN_MEMBER_ID', 'fenced'],
    ['ERR_FENCED_INSTANCE_ID', 'fenced'],
    ['ERR_REBALANCE_IN_PROGRESS', 'rebalance'],
    ['ERR_COORDINATOR_NOT_AVAILABLE', 'retriable'],
    ['ERR__TIMED_OUT', 'retriable'],
    ['ERR_CONCURRENT_TRANSACTIONS', 'retriable'],
    ['ERR__PURGE_QUEUE', 'retriable'],
    ['ERR_GROUP_AUTHORIZATION_FAILED', 'fatal'],
    ['ERR_UNKNOWN_TOPIC_OR_PART', 'fatal'],
  ] as const)('sendOffsetsToTransaction fails with %s: aborts, then %s', async (name, expected) => {
    const code = (ERRORS as Record<string, number | undefined>)[name] as number
    expect(code).toBeTypeOf('number')
    const { transactions, calls, failed } = setUp({ sendOffsets: [rdError(code, { isTxnRequiresAbort: true })] })
    const error = await rejection(transactions.commit(offsets, outputs, consumer))
    expect(calls.slice(-2)).toEqual(['sendOffsets', 'abort'])
    expect(error).toMatchObject({ classification: expected, stage: 'send-offsets', aborted: true })
    expect(failed).not.toHaveBeenCalled()
  })

  it('a produce that throws (not queue-full) aborts the transaction', async () => {
    const { transactions, calls } = setUp({ produce: [rdError(ERRORS.ERR_MSG_SIZE_TOO_LARGE)] })
    const error = await rejection(transactions.commit(offsets, outputs, consumer))
    expect(calls).toEqual(['begin', 'produce', 'abort'])
    expect(error).toMatchObject({ classification: 'fatal', stage: 'produce', aborted: true })
  })

  it('waits out a full producer queue and produces again', async () => {
    const { transactions, calls } = setUp({ produce: [rdError(ERRORS.ERR__QUEUE_FULL), null] })
    await transactions.commit(offsets, outputs, consumer)
    expect(calls).toEqual(['begin', 'produce', 'produce', 'produce', 'sendOffsets', 'commit'])
  })

  it('a fatal error (producer fenced by another instance with the same id) is fatal, without an abort', async () => {
    const { transactions, calls, failed } = setUp({ commit: [rdError(ERRORS.ERR__FENCED, { isFatal: true })] })
    const error = await rejection(transactions.commit(offsets, outputs, consumer))
    expect(error).toMatchObject({ classification: 'fatal', stage: 'commit', aborted: false })
    expect(calls).not.toContain('abort')
    expect(failed).toHaveBeenCalledOnce()
  })

  it('an abort that fails is fatal: the transaction is neither committed nor aborted', async () => {
    const { transactions, failed } = setUp({
      sendOffsets: [rdError(ERRORS.ERR_ILLEGAL_GENERATION, { isTxnRequiresAbort: true })],
      abort: [rdError(ERRORS.ERR__FATAL, { isFatal: true })],
    })
    const error = await rejection(transactions.commit(offsets, outputs, consumer))
    expect(error).toMatchObject({ classification: 'fatal', stage: 'abort', aborted: false })
    expect(failed).toHaveBeenCalledOnce()
  })

  it('retries a retriable abort', async () => {
    const { transactions, calls } = setUp({
      sendOffsets: [rdError(ERRORS.ERR_ILLEGAL_GENERATION, { isTxnRequiresAbort: true })],
      abort: [rdError(ERRORS.ERR__TIMED_OUT, { isRetriable: true })],
    })
    const error = await rejection(transactions.commit(offsets, outputs, consumer))
    expect(calls.slice(-2)).toEqual(['abort', 'abort'])
    expect(error).toMatchObject({ classification: 'fenced', aborted: true })
  })

  it('a failed begin started nothing: fatal, no abort', async () => {
    const { transactions, calls } = setUp({ begin: [rdError(ERRORS.ERR__STATE)] })
    const error = await rejection(transactions.commit(offsets, outputs, consumer))
    expect(error).toMatchObject({ classification: 'fatal', stage: 'begin', aborted: false })
    expect(calls).toEqual(['begin'])
  })
})
