import { describe, expect, it } from 'vitest'
import type { CommitRequest } from '../src/client-port.js'
import { CommitPipeline, type CommitOutcome, type CommitScope, type PreparedCommit } from '../src/commit-pipeline.js'
import { commitOffsetFromBigInt } from '../src/offset.js'
import { FakeClock, FakePort } from '@offsetkit/commit-core/testing'
import { memoryLogger, tick } from './harness.js'

/** Partitions are plain names; a partition's "watermark" is what `offsets` holds when the commit is sent. */
function pipeline(options: { maxAttempts?: number; classify?: (error: unknown) => unknown } = {}) {
  const clock = new FakeClock()
  const logger = memoryLogger()
  const port = new FakePort()
  port.autoReply = false
  if (options.classify !== undefined) port.classifyCommitError = options.classify as FakePort['classifyCommitError']
  const offsets = new Map<string, bigint>([['a', 1n], ['b', 2n]])
  const committed: string[][] = []
  const lifted: string[][] = []
  const observed: string[] = []
  let wakes = 0
  const p = new CommitPipeline<string, PreparedCommit & { names: string[] }>({
    port,
    clock,
    logger,
    maxAttempts: options.maxAttempts ?? 3,
    delayMs: (attempt) => attempt * 100,
    source: {
      prepare: (scope: CommitScope<string>) => {
        const names = scope === 'all' ? [...offsets.keys()] : [...scope]
        return { names, entries: names.map((n) => ({ topic: n, partition: 0, offset: commitOffsetFromBigInt(offsets.get(n) as bigint) })) }
      },
      committed: (prepared) => void committed.push(prepared.names),
      liftSyncHolds: (held) => void lifted.push([...held]),
      wake: () => void wakes++,
    },
    observer: {
      started: (_r: CommitRequest, attempt) => void observed.push(`started ${attempt}`),
      succeeded: (_r, attempt) => void observed.push(`succeeded ${attempt}`),
      failed: (_r, error, attempt, willRetry) => void observed.push(`failed ${error.code} ${attempt} ${willRetry}`),
    },
  })
  return { p, port, clock, logger, offsets, committed, lifted, observed, wakes: () => wakes }
}

function outcomes() {
  const seen: CommitOutcome[] = []
  return { seen, waiter: (parkable = false) => ({ parkable, settle: (o: CommitOutcome) => void seen.push(o) }) }
}

describe('CommitPipeline', () => {
  it('keeps one commit in flight; later requests coalesce and read offsets when sent', async () => {
    const { p, port, offsets, committed, observed } = pipeline()
    p.request(new Set(['a']), false, 'policy')
    p.kick()
    expect(p.committing).toBe(true)
    p.request(new Set(['a']), false, 'policy')
    p.request(new Set(['b']), true, 'manual')
    offsets.set('a', 5n)
    p.kick()
    expect(port.requests).toHaveLength(1)
    port.answer()
    await tick()
    p.kick()
    expect(port.requests[1]).toMatchObject({ sync: true, reason: 'manual', offsets: [{ topic: 'a', offset: 5n }, { topic: 'b', offset: 2n }] })
    port.answer()
    await tick()
    expect(committed).toEqual([['a'], ['a', 'b']])
    expect(observed).toEqual(['started 1', 'succeeded 1', 'started 1', 'succeeded 1'])
    expect(p.idle).toBe(true)
  })

  it('widens a partial scope to all, and keeps the highest reason', () => {
    const { p, port } = pipeline()
    p.request(new Set(['a']), false, 'close')
    p.request('all', false, 'policy')
    p.kick()
    expect(port.requests[0]).toMatchObject({ reason: 'close', offsets: [{ topic: 'a' }, { topic: 'b' }] })
  })

  it('settles at once, and releases its holds, when there is nothing to commit', () => {
    const { p, port, lifted } = pipeline()
    const { seen, waiter } = outcomes()
    p.request(new Set(), true, 'policy', 'a', waiter())
    p.kick()
    expect(port.requests).toEqual([])
    expect(seen).toEqual([{ ok: true }])
    expect(lifted).toEqual([['a']])
  })

  it('retries a retriable failure after the backoff, then gives up after maxAttempts', async () => {
    const { p, port, clock, observed, wakes } = pipeline({ maxAttempts: 2 })
    const { seen, waiter } = outcomes()
    p.request('all', true, 'manual', undefined, waiter())
    p.kick()
    port.answer('retriable')
    await tick()
    expect(p.idle).toBe(false)
    p.kick()
    expect(port.requests).toHaveLength(1)
    clock.advance(100)
    expect(wakes()).toBe(1)
    p.kick()
    port.answer('retriable')
    await tick()
    expect(seen).toMatchObject([{ ok: false, error: { code: 'RETRIES_EXHAUSTED' } }])
    expect(observed).toEqual(['started 1', 'failed RETRIABLE 1 true', 'started 2', 'failed RETRIES_EXHAUSTED 2 false'])
  })

  it('merges requests made during a backoff into the retry', async () => {
    const { p, port, clock } = pipeline()
    p.request(new Set(['a']), false, 'policy')
    p.kick()
    port.answer('retriable')
    await tick()
    p.request(new Set(['b']), false, 'manual')
    clock.advance(100)
    p.kick()
    expect(port.requests[1]).toMatchObject({ reason: 'manual', offsets: [{ topic: 'a' }, { topic: 'b' }] })
  })

  it('parks a commit hit by a rebalance: revoke waiters fail, manual ones wait for unpark', async () => {
    const { p, port, lifted } = pipeline()
    const manual = outcomes()
    const revoke = outcomes()
    p.request('all', true, 'manual', 'a', manual.waiter(true))
    p.request('all', true, 'revoke', undefined, revoke.waiter(false))
    p.kick()
    port.answer('rebalance')
    await tick()
    expect(revoke.seen).toMatchObject([{ ok: false, error: { code: 'REBALANCE_IN_PROGRESS' } }])
    expect(lifted).toEqual([['a']])
    p.kick()
    expect(port.requests).toHaveLength(1)
    p.unpark()
    p.unpark()
    p.kick()
    port.answer()
    await tick()
    expect(manual.seen).toEqual([{ ok: true }])
  })

  it('merges a second parked commit and a pending request on unpark', async () => {
    const { p, port } = pipeline()
    p.request(new Set(['a']), false, 'policy')
    p.kick()
    port.answer('rebalance')
    await tick()
    p.request(new Set(['b']), false, 'policy')
    p.kick()
    port.answer('rebalance')
    await tick()
    p.request(new Set(['a']), false, 'manual')
    p.unpark()
    p.kick()
    expect(port.requests[2]).toMatchObject({ reason: 'manual', offsets: [{ topic: 'a' }, { topic: 'b' }] })
  })

  it('reports fenced and fatal failures without retrying', async () => {
    const { p, port } = pipeline()
    const { seen, waiter } = outcomes()
    p.request('all', true, 'manual', undefined, waiter())
    p.kick()
    port.answer('fenced')
    await tick()
    p.request('all', true, 'manual', undefined, waiter())
    p.kick()
    port.answer('fatal')
    await tick()
    expect(seen.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual(['FENCED', 'FATAL'])
  })

  it('treats an unknown or throwing classification, and a throwing commit, as fatal', async () => {
    const unknown = pipeline({ classify: () => 'weird' })
    unknown.p.request('all', false, 'policy')
    unknown.p.kick()
    unknown.port.answer('retriable')
    const throwing = pipeline({
      classify: () => {
        throw new Error('no')
      },
    })
    throwing.p.request('all', false, 'policy')
    throwing.p.kick()
    throwing.port.answer('retriable')
    const sync = pipeline()
    sync.port.commit = () => {
      throw new Error('sync throw')
    }
    const { seen, waiter } = outcomes()
    sync.p.request('all', true, 'manual', undefined, waiter())
    sync.p.kick()
    await tick()
    expect(unknown.logger.lines.map((l) => l.message)).toEqual(['classifyCommitError returned an unknown class; treating the error as fatal'])
    expect(throwing.logger.lines.map((l) => l.message)).toEqual(['classifyCommitError threw; treating the error as fatal'])
    expect(seen).toMatchObject([{ ok: false, error: { code: 'FATAL' } }])
  })

  it('flush resolves with the outcome and never rejects', async () => {
    const { p, port } = pipeline()
    const flushed = p.flush('all', 'close', false)
    p.kick()
    port.answer('fatal')
    await expect(flushed).resolves.toMatchObject({ ok: false, error: { code: 'FATAL' } })
  })

  it('close fails what is queued or parked, cancels a backoff, and fails later requests', async () => {
    const { p, port, clock } = pipeline()
    const parked = outcomes()
    p.request('all', true, 'manual', undefined, parked.waiter(true))
    p.kick()
    port.answer('rebalance')
    await tick()
    p.request(new Set(['a']), false, 'policy')
    p.kick()
    port.answer('retriable')
    await tick()
    const queued = outcomes()
    p.request('all', true, 'manual', undefined, queued.waiter())
    p.close()
    expect(clock.pendingTimers).toBe(0)
    const late = outcomes()
    p.request('all', true, 'manual', undefined, late.waiter())
    p.request('all', false, 'policy')
    for (const o of [parked, queued, late]) expect(o.seen).toMatchObject([{ ok: false, error: { code: 'CLOSED' } }])
  })

  it('does not retry a retriable failure once closed', async () => {
    const { p, port } = pipeline()
    const { seen, waiter } = outcomes()
    p.request('all', true, 'close', undefined, waiter())
    p.kick()
    p.close()
    port.answer('retriable')
    await tick()
    expect(seen).toMatchObject([{ ok: false, error: { code: 'RETRIES_EXHAUSTED' } }])
  })
})
