import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs'
import type { Kafka, Producer, ProducerConfig, Transaction } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { commitOffsetFromString, type CommitEntry, type PartitionOutputs } from '@offsetkit/commit-core'
import { classifyKafkajsCommitError } from '../src/classify-kafkajs-error.js'
import { KafkajsTransactions, TRANSACTIONAL_RETRY, chunks } from '../src/kafkajs-transactions.js'

const protocol = (type: string): Error => Object.assign(new KafkaJSProtocolError(type), { type })

type Step = 'send' | 'sendOffsets' | 'commit' | 'abort'

/** A kafkajs Kafka whose producers record every call; `fail` makes a step of a transactional id throw. */
function fakeKafka(fail: (transactionalId: string, step: Step) => Error | undefined = () => undefined) {
  const calls: string[] = []
  const kafka = {
    producer(config: ProducerConfig) {
      const id = config.transactionalId!
      calls.push(`${id} producer idempotent=${String(config.idempotent)} maxInFlight=${String(config.maxInFlightRequests)}`)
      const step = (name: Step) => async (arg?: unknown) => {
        calls.push(`${id} ${name}${arg === undefined ? '' : ' ' + JSON.stringify(arg)}`)
        const error = fail(id, name)
        if (error !== undefined) throw error
      }
      let began = 0
      return {
        connect: async () => void calls.push(`${id} connect`),
        disconnect: async () => void calls.push(`${id} disconnect`),
        transaction: async () => {
          // The first transaction() is the initialisation (InitProducerId), aborted at once.
          const init = began++ === 0
          if (!init) calls.push(`${id} begin`)
          return {
            sendBatch: step('send'),
            sendOffsets: step('sendOffsets'),
            commit: step('commit'),
            abort: init ? async () => undefined : step('abort'),
          } as unknown as Transaction
        },
      } as unknown as Producer
    },
  } as unknown as Kafka
  return { kafka, calls }
}

const entry = (partition: number, offset: string): CommitEntry => ({ topic: 'in', partition, offset: commitOffsetFromString(offset) })
const outputs = (partition: number, values: string[]): PartitionOutputs => ({
  topic: 'in',
  partition,
  records: values.map((value) => ({ topic: 'out', key: null, value, headers: [{ key: 'h', value: 'v' }] })),
})

describe('KafkajsTransactions', () => {
  it('producers retry CONCURRENT_TRANSACTIONS after 20 ms, not kafkajs\' 300 ms; the app\'s retry fields win', async () => {
    const configs: ProducerConfig[] = []
    const { kafka } = fakeKafka()
    const recording = { producer: (config: ProducerConfig) => (configs.push(config), kafka.producer(config)) } as unknown as Kafka
    await new KafkajsTransactions({ kafka: recording, id: 'a' }).fence({ topic: 'in', partition: 0 })
    await new KafkajsTransactions({ kafka: recording, id: 'b', producer: { retry: { retries: 2 }, transactionTimeout: 5000 } }).fence({ topic: 'in', partition: 0 })
    expect(configs.map((c) => [c.transactionalId, c.retry, c.transactionTimeout])).toEqual([
      ['a-in-0', { ...TRANSACTIONAL_RETRY }, undefined],
      ['b-in-0', { initialRetryTime: 20, retries: 2 }, 5000],
    ])
  })

  it('one transaction per input partition: its outputs, then its offset, then commit', async () => {
    const { kafka, calls } = fakeKafka()
    const txns = new KafkajsTransactions({ kafka, id: 'app' })
    await txns.commit('group', [entry(0, '5'), entry(1, '7')], [outputs(0, ['a', 'b']), outputs(1, [])])
    expect(calls.filter((c) => c.startsWith('app-in-0'))).toEqual([
      'app-in-0 producer idempotent=false maxInFlight=1',
      'app-in-0 connect',
      'app-in-0 begin',
      expect.stringMatching(/^app-in-0 send .*"topic":"out".*"value":"a".*"value":"b"/),
      'app-in-0 sendOffsets {"consumerGroupId":"group","topics":[{"topic":"in","partitions":[{"partition":0,"offset":"5"}]}]}',
      'app-in-0 commit',
    ])
    // No outputs: no send, the offset alone is committed in the transaction.
    expect(calls.filter((c) => c.startsWith('app-in-1 ')).map((c) => c.split(' ')[1])).toEqual(['producer', 'connect', 'begin', 'sendOffsets', 'commit'])
    await txns.close()
    expect(calls).toContain('app-in-0 disconnect')
  })

  it('a failed send is aborted before the commit rejects; a retriable cause stays retriable', async () => {
    const { kafka, calls } = fakeKafka((_, step) => (step === 'send' ? new KafkaJSConnectionError('broker gone') : undefined))
    const txns = new KafkajsTransactions({ kafka, id: 'app' })
    const error = await txns.commit('group', [entry(0, '5')], [outputs(0, ['a'])]).catch((e: unknown) => e)
    expect(calls.slice(-2)).toEqual([expect.stringMatching(/^app-in-0 send/), 'app-in-0 abort'])
    expect(classifyKafkajsCommitError(error)).toBe('retriable')
  })

  it('an abort that fails is fatal', async () => {
    const { kafka } = fakeKafka((_, step) => (step === 'send' || step === 'abort' ? new KafkaJSConnectionError('broker gone') : undefined))
    const error = await new KafkajsTransactions({ kafka, id: 'app' }).commit('group', [entry(0, '5')], [outputs(0, ['a'])]).catch((e: unknown) => e)
    expect((error as Error).name).toBe('TransactionAbortFailedError')
    expect(classifyKafkajsCommitError(error)).toBe('fatal')
  })

  it('a commit (EndTxn) that fails without an answer has an unknown outcome: fatal', async () => {
    const { kafka } = fakeKafka((_, step) => (step === 'commit' ? new KafkaJSConnectionError('connection closed') : undefined))
    const error = await new KafkajsTransactions({ kafka, id: 'app' }).commit('group', [entry(0, '5')], [outputs(0, ['a'])]).catch((e: unknown) => e)
    expect((error as Error).name).toBe('TransactionOutcomeUnknownError')
    expect(classifyKafkajsCommitError(error)).toBe('fatal')
  })

  it('a fenced producer (INVALID_PRODUCER_EPOCH) is fenced, and is never re-initialised by this member', async () => {
    const { kafka, calls } = fakeKafka((_, step) => (step === 'sendOffsets' ? protocol('INVALID_PRODUCER_EPOCH') : undefined))
    const txns = new KafkajsTransactions({ kafka, id: 'app' })
    const first = await txns.commit('group', [entry(0, '5')], [outputs(0, ['a'])]).catch((e: unknown) => e)
    expect(classifyKafkajsCommitError(first)).toBe('fenced')
    const second = await txns.commit('group', [entry(0, '6')], [outputs(0, ['a'])]).catch((e: unknown) => e)
    expect(classifyKafkajsCommitError(second)).toBe('fenced')
    expect(calls.filter((c) => c.endsWith(' producer idempotent=false maxInFlight=1'))).toHaveLength(1)
  })

  // Seen in the rebalance test: rejected as fenced, core kept the retained partition's outputs
  // and produced them again in its next transaction (44 duplicates).
  it('some partitions committed and the others fenced: resolves, so core re-sends none of the outputs', async () => {
    const { kafka } = fakeKafka((id, step) => (id === 'app-in-1' && step === 'commit' ? protocol('INVALID_PRODUCER_EPOCH') : undefined))
    await expect(new KafkajsTransactions({ kafka, id: 'app' }).commit('group', [entry(0, '5'), entry(1, '5')], [outputs(0, ['a']), outputs(1, ['b'])])).resolves.toBeUndefined()
  })

  it('every partition fenced: fenced', async () => {
    const { kafka } = fakeKafka((_, step) => (step === 'commit' ? protocol('INVALID_PRODUCER_EPOCH') : undefined))
    const error = await new KafkajsTransactions({ kafka, id: 'app' }).commit('group', [entry(0, '5'), entry(1, '5')], [outputs(0, ['a']), outputs(1, ['b'])]).catch((e: unknown) => e)
    expect(classifyKafkajsCommitError(error)).toBe('fenced')
  })

  it('some partitions committed and another aborted for a retriable reason: fatal (a retry would produce the committed ones twice)', async () => {
    const { kafka } = fakeKafka((id, step) => (id === 'app-in-1' && step === 'send' ? protocol('NOT_COORDINATOR') : undefined))
    const error = await new KafkajsTransactions({ kafka, id: 'app' }).commit('group', [entry(0, '5'), entry(1, '5')], [outputs(0, ['a']), outputs(1, ['b'])]).catch((e: unknown) => e)
    expect((error as Error).name).toBe('TransactionPartlyCommittedError')
    expect(classifyKafkajsCommitError(error)).toBe('fatal')
  })

  it('nothing committed: the most severe class decides', async () => {
    const { kafka } = fakeKafka((id, step) =>
      step === 'send' ? (id === 'app-in-0' ? protocol('INVALID_PRODUCER_EPOCH') : protocol('NOT_COORDINATOR')) : undefined)
    const error = await new KafkajsTransactions({ kafka, id: 'app' }).commit('group', [entry(0, '5'), entry(1, '5')], [outputs(0, ['a']), outputs(1, ['b'])]).catch((e: unknown) => e)
    expect(classifyKafkajsCommitError(error)).toBe('retriable')
  })
})

describe('classifyKafkajsCommitError, transactional errors', () => {
  it.each([
    ['INVALID_PRODUCER_EPOCH', 'fenced'],
    ['PRODUCER_FENCED', 'fenced'],
    ['ILLEGAL_GENERATION', 'fenced'],
    ['UNKNOWN_MEMBER_ID', 'fenced'],
    ['CONCURRENT_TRANSACTIONS', 'retriable'],
    ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'fatal'],
  ])('%s → %s', (type, expected) => {
    expect(classifyKafkajsCommitError(protocol(type))).toBe(expected)
  })
})

describe('chunks (outputs per sendBatch)', () => {
  const out = (value: string) => ({ topic: 'o', key: null, value, headers: [] })
  it('cuts where the approximate size would pass the bound, keeps order, never returns an empty chunk', () => {
    const records = Array.from({ length: 10 }, (_, i) => out(`${i}`.padStart(100, '0')))
    const cut = chunks(records, 400)
    expect(cut.flat()).toEqual(records)
    expect(cut.every((c) => c.length > 0 && c.length <= 3)).toBe(true)
    expect(chunks([], 400)).toEqual([])
    // A record larger than the bound still goes, alone.
    expect(chunks([out('x'.repeat(1000)), out('y')], 400).map((c) => c.length)).toEqual([1, 1])
  })
})
