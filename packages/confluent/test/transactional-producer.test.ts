// The transactional commit against a scripted client: each step's error comes with librdkafka's
// flags, and the tests assert what was called (an abort before every rejection once begun) and
// how the rejection classifies.
import type { KafkaJS } from '@confluentinc/kafka-javascript'
import { commitOffsetFromNumber, type CommitRequest } from '@offsetkit/commit-core'
import { describe, expect, it } from 'vitest'
import { classifyConfluentCommitError } from '../src/classify-confluent-error.js'
import { ConfluentTransactionError } from '../src/confluent-transaction-error.js'
import { TransactionalProducer, toMessage } from '../src/transactional-producer.js'

type Step = 'begin' | 'sendOffsets' | 'commit' | 'abort' | 'send'
type Flags = { code: number; isFatal?: boolean; isRetriable?: boolean; isTxnRequiresAbort?: boolean }

const failure = ({ code, ...flags }: Flags) =>
  Object.assign(new Error(`code ${code}`), { code, isFatal: false, isRetriable: false, isTxnRequiresAbort: false, ...flags })

/** A client whose steps fail as scripted (one entry per call, then success); `calls` records the order. */
function scripted(script: Partial<Record<Step, Flags[]>> = {}) {
  const calls: string[] = []
  const sent: Array<{ topic: string; messages: KafkaJS.Message[] }> = []
  const next = (step: Step): Error | null => {
    calls.push(step)
    const flags = script[step]?.shift()
    return flags === undefined ? null : failure(flags)
  }
  const internal = {
    isConnected: () => true,
    beginTransaction: (done: (e: unknown) => void) => queueMicrotask(() => done(next('begin'))),
    commitTransaction: (_t: number, done: (e: unknown) => void) => queueMicrotask(() => done(next('commit'))),
    abortTransaction: (_t: number, done: (e: unknown) => void) => queueMicrotask(() => done(next('abort'))),
    sendOffsetsToTransaction: (offsets: unknown, _c: unknown, _t: number, done: (e: unknown) => void) => {
      calls.push(`offsets ${JSON.stringify(offsets)}`)
      queueMicrotask(() => done(next('sendOffsets')))
    },
  }
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async (record: { topic: string; messages: KafkaJS.Message[] }) => {
      sent.push(record)
      const error = next('send')
      if (error !== null) throw error
      return []
    },
    _getInternalClient: () => internal,
  }
  return { calls, sent, create: () => producer as unknown as KafkaJS.Producer }
}

const request: CommitRequest = {
  offsets: [{ topic: 'in', partition: 0, offset: commitOffsetFromNumber(3), leaderEpoch: 1 }],
  outputs: [{ topic: 'in', partition: 0, records: [
    { topic: 'out', key: 'a', value: 'x', headers: [] },
    { topic: 'out', key: null, value: new Uint8Array([1, 2]), partition: 2, headers: [{ key: 'h', value: null }, { key: 'h', value: 'v' }] },
  ] }],
  sync: true,
  reason: 'policy',
}

async function commitWith(script: Partial<Record<Step, Flags[]>>) {
  const client = scripted(script)
  const producer = new TransactionalProducer(client.create)
  await producer.connect()
  const error = await producer.commit(request, {}).then(() => undefined, (e: unknown) => e)
  return { ...client, producer, error, class: error === undefined ? undefined : classifyConfluentCommitError(error) }
}

const steps = (calls: readonly string[]) => calls.filter((c) => !c.startsWith('offsets'))

describe('TransactionalProducer.commit', () => {
  it('produces the outputs, sends the offsets (numbers, with the leader epoch) and commits', async () => {
    const { calls, sent, error } = await commitWith({})
    expect(error).toBeUndefined()
    expect(steps(calls)).toEqual(['begin', 'send', 'sendOffsets', 'commit'])
    expect(calls).toContain('offsets [{"topic":"in","partition":0,"offset":3,"leaderEpoch":1}]')
    expect(sent).toHaveLength(1)
    expect(sent[0]?.topic).toBe('out')
    expect(sent[0]?.messages.map((m) => [m.key, m.value, m.partition])).toEqual([['a', 'x', undefined], [null, Buffer.from([1, 2]), 2]])
  })

  it('a group error from send-offsets: aborted, then classified by its code (KIP-447 fencing)', async () => {
    const result = await commitWith({ sendOffsets: [{ code: 25, isTxnRequiresAbort: true }] })
    expect(steps(result.calls)).toEqual(['begin', 'send', 'sendOffsets', 'abort'])
    expect(result.error).toBeInstanceOf(ConfluentTransactionError)
    expect((result.error as ConfluentTransactionError).outcome).toBe('aborted')
    expect(result.class).toBe('fenced')
  })

  it('a delivery failure: aborted; a coordinator error is retriable', async () => {
    const result = await commitWith({ send: [{ code: 16 }] })
    expect(steps(result.calls)).toEqual(['begin', 'send', 'sendOffsets', 'abort'])
    expect(result.class).toBe('retriable')
  })

  it('a retriable commit is called again, then succeeds', async () => {
    const result = await commitWith({ commit: [{ code: -185, isRetriable: true }] })
    expect(result.error).toBeUndefined()
    expect(steps(result.calls)).toEqual(['begin', 'send', 'sendOffsets', 'commit', 'commit'])
  })

  it('an abortable commit error: aborted, retriable', async () => {
    const result = await commitWith({ commit: [{ code: 51, isTxnRequiresAbort: true }] })
    expect(steps(result.calls)).toEqual(['begin', 'send', 'sendOffsets', 'commit', 'abort'])
    expect((result.error as ConfluentTransactionError).outcome).toBe('aborted')
    expect(result.class).toBe('retriable')
  })

  it('a commit that keeps timing out and cannot be aborted: outcome unknown, fatal', async () => {
    const timedOut = { code: -185, isRetriable: true }
    const result = await commitWith({ commit: [timedOut, timedOut, timedOut], abort: [{ code: -172 }] })
    expect(steps(result.calls)).toEqual(['begin', 'send', 'sendOffsets', 'commit', 'commit', 'commit', 'abort'])
    expect((result.error as ConfluentTransactionError).outcome).toBe('unknown')
    expect(result.class).toBe('fatal')
  })

  it('a fatal producer error (fenced by another instance with this id): no abort, fatal, and no later commit is tried', async () => {
    const result = await commitWith({ sendOffsets: [{ code: -144, isFatal: true }] })
    expect(steps(result.calls)).toEqual(['begin', 'send', 'sendOffsets'])
    expect((result.error as ConfluentTransactionError).outcome).toBe('not-aborted')
    expect(result.class).toBe('fatal')
    const again = await result.producer.commit(request, {}).then(() => undefined, (e: unknown) => e)
    expect(classifyConfluentCommitError(again)).toBe('fatal')
    expect(steps(result.calls)).toEqual(['begin', 'send', 'sendOffsets'])
  })

  it('a begin that fails sends nothing and aborts nothing', async () => {
    const result = await commitWith({ begin: [{ code: -172 }] })
    expect(steps(result.calls)).toEqual(['begin'])
    expect((result.error as ConfluentTransactionError).outcome).toBe('not-begun')
    expect(result.class).toBe('fatal')
  })

  it('not connected: rejects as not running (fenced), nothing begun', async () => {
    const producer = new TransactionalProducer(scripted().create)
    const error = await producer.commit(request, {}).then(() => undefined, (e: unknown) => e)
    expect(classifyConfluentCommitError(error)).toBe('fenced')
  })
})

describe('TransactionalProducer.connect', () => {
  it('retries a retriable init_transactions failure with a fresh producer', async () => {
    let created = 0
    const producer = new TransactionalProducer(() => {
      created++
      const attempt = created
      return {
        connect: async () => {
          if (attempt === 1) throw failure({ code: -185, isRetriable: true })
        },
        disconnect: async () => undefined,
      } as unknown as KafkaJS.Producer
    })
    await producer.connect()
    expect(created).toBe(2)
  })

  it('gives up on a non-retriable failure at once', async () => {
    let created = 0
    const producer = new TransactionalProducer(() => {
      created++
      return { connect: async () => Promise.reject(failure({ code: 53, isFatal: true })), disconnect: async () => undefined } as unknown as KafkaJS.Producer
    })
    await expect(producer.connect()).rejects.toMatchObject({ code: 53 })
    expect(created).toBe(1)
  })
})

describe('toMessage', () => {
  it('groups headers by key in order; a null header value becomes empty (the client takes strings and buffers only)', () => {
    const message = toMessage({ topic: 't', key: new Uint8Array([7]), value: null, headers: [{ key: 'a', value: 'x' }, { key: 'b', value: null }, { key: 'a', value: new Uint8Array([1]) }] })
    expect(message).toEqual({ key: Buffer.from([7]), value: null, headers: { a: ['x', Buffer.from([1])], b: [Buffer.alloc(0)] } })
  })
})
