import { ClientError, ConfigError, isOffsetkitError, type CommitRequest, type ConsumedRecord, type OffsetkitConsumer, type OffsetkitOptions } from '@offsetkit/commit-core'
import { waitFor } from '@offsetkit/broker'
import type { ConformanceCapabilities, ConformanceFactory } from './conformance-factory.js'
import { runCrashLoop } from './crash-loop.js'
import { KafkaHarness } from './kafka-harness.js'

/** The slice of vitest the suite uses (pass `import * as vitest from 'vitest'`). */
export interface SuiteApi {
  describe: (name: string, fn: () => void) => void
  it: ((name: string, fn: () => Promise<void>, timeoutMs?: number) => void) & { skip: (name: string, fn: () => Promise<void>) => void }
  beforeAll: (fn: () => Promise<void>, timeoutMs?: number) => void
  afterAll: (fn: () => Promise<void>, timeoutMs?: number) => void
  afterEach: (fn: () => Promise<void>, timeoutMs?: number) => void
  expect: (value: unknown) => any // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface ConformanceSuiteOptions {
  /** Where the broker is (e.g. `() => inject('kafka').bootstrapServers`). */
  readonly bootstrapServers: () => string
  /** What the client cannot do, each with its reason: reported as declared gaps, never skipped silently. */
  readonly capabilities: ConformanceCapabilities
  /** Absolute path of the module exporting `factory`, for scenarios run in a child process. */
  readonly factoryModule: string
  /** Runs the suite once more with `group.protocol=consumer` (KIP-848) where supported. */
  readonly groupProtocols?: readonly ('classic' | 'consumer')[]
}

const key = (partition: number, offset: bigint | string) => `${partition}:${offset}`
const LONG = 180_000

/**
 * ONE behavioural suite for every adapter (keyv's storage test suite pattern). Every scenario
 * runs against the real broker and verifies committed offsets by reading them back from it.
 */
export function defineConformanceSuite(api: SuiteApi, factory: ConformanceFactory, options: ConformanceSuiteOptions): void {
  const { describe, it, beforeAll, afterAll, afterEach, expect } = api
  const protocols = options.groupProtocols ?? ['classic']

  const gap = options.capabilities.groupProtocolConsumer
  if (typeof gap === 'string') {
    describe(`${factory.client} conformance (group.protocol=consumer)`, () => {
      // Reported in every run, with its reason: a declared gap, not a silent omission.
      it.skip(`declared gap: ${gap}`, async () => undefined)
    })
  }

  for (const protocol of protocols) {
    describe(`${factory.client} conformance (group.protocol=${protocol})`, () => {
      let harness: KafkaHarness
      const open: OffsetkitConsumer[] = []

      beforeAll(async () => {
        harness = new KafkaHarness(options.bootstrapServers())
      })
      afterEach(async () => {
        await Promise.allSettled(open.splice(0).map((c) => c.close()))
      }, LONG)
      afterAll(async () => {
        await factory.cleanup?.()
        await harness.close()
      }, LONG)

      /** Starts a consumer on `topic`; every processed record is appended to `processed`. */
      async function consume(
        topic: string,
        groupId: string,
        offsetkit: OffsetkitOptions,
        handle: (record: ConsumedRecord) => void | Promise<unknown> = () => undefined,
        extra: { deadLetterTopic?: string; fastRebalance?: boolean } = {},
      ) {
        const processed: ConsumedRecord[] = []
        const consumer = await factory.createConsumer({
          bootstrapServers: harness.bootstrapServers,
          groupId,
          offsetkit,
          groupProtocol: protocol,
          ...extra,
        })
        open.push(consumer)
        // Subscribed before run(): with a fast client the first commits land before run() returns.
        const commits: CommitRequest[] = []
        consumer.on('commit.succeeded', ({ request }) => commits.push(request))
        await consumer.run({
          topics: [topic],
          handler: async (record) => {
            await handle(record)
            processed.push(record)
          },
        })
        const close = async () => {
          open.splice(open.indexOf(consumer), 1)
          await consumer.close()
        }
        return { consumer, processed, commits, close }
      }

      async function expectCommitted(groupId: string, topic: string, expected: Map<number, bigint | undefined>, what: string) {
        const want = JSON.stringify([...expected].map(([p, o]) => [p, o?.toString()]))
        const got = await waitFor(async () => {
          const committed = await harness.committedOffsets(groupId, topic)
          const view = JSON.stringify([...expected.keys()].map((p) => [p, committed.get(p)?.toString()]))
          return view === want ? committed : undefined
        }, { what, timeoutMs: 60_000 })
        return got
      }

      it('1. commits the NEXT offset: 10 records processed → committed offset 10', async () => {
        const topic = await harness.createTopic()
        const groupId = harness.name('g1')
        await harness.produceCount(topic, 10)
        const c = await consume(topic, groupId, { commit: 'per-message' })
        await waitFor(() => c.processed.length === 10, { what: '10 records processed' })
        await expectCommitted(groupId, topic, new Map([[0, 10n]]), 'committed offset 10')
        await c.close()
        expect((await harness.committedOffsets(groupId, topic)).get(0)).toBe(10n)
      }, LONG)

      describe('2. each policy commits when it says it does', () => {
        const N = 20
        async function policyRun(commit: NonNullable<OffsetkitOptions['commit']>, prefix: string) {
          const topic = await harness.createTopic({ prefix })
          const groupId = harness.name(prefix)
          await harness.produceCount(topic, N)
          const c = await consume(topic, groupId, { commit })
          await waitFor(() => c.processed.length === N, { what: `${N} records processed` })
          const policyCommits = () => c.commits.filter((r) => r.reason === 'policy').map((r) => r.offsets[0]!.offset)
          return { topic, groupId, c, policyCommits }
        }

        it('per-message (sync): one acknowledged commit per record, before the next record runs', async () => {
          const topic = await harness.createTopic({ prefix: 'pm' })
          const groupId = harness.name('pm')
          await harness.produceCount(topic, N)
          const seenAtStart: Array<bigint | undefined> = []
          const c = await consume(topic, groupId, { commit: 'per-message' }, async (record) => {
            // The previous record's commit is acknowledged before this one is dispatched.
            if (record.offset > 0n) seenAtStart.push((await harness.committedOffsets(groupId, topic)).get(0))
          })
          await waitFor(() => c.processed.length === N, { what: 'all processed' })
          await expectCommitted(groupId, topic, new Map([[0, BigInt(N)]]), 'committed = 20')
          expect(seenAtStart).toEqual(Array.from({ length: N - 1 }, (_, i) => BigInt(i + 1)))
          await c.close()
        }, LONG)

        it('per-message-async: commits follow every record (coalesced), reaching the end before close', async () => {
          const { topic, groupId, c, policyCommits } = await policyRun('per-message-async', 'pma')
          await expectCommitted(groupId, topic, new Map([[0, BigInt(N)]]), 'committed = 20 before close')
          // The broker can show a commit before the client has reported it (rdkafka serves the
          // result on its next poll): wait for the report rather than assume it.
          await waitFor(() => policyCommits().length >= 1, { what: 'the policy commit reported' })
          expect(policyCommits().length).toBeLessThanOrEqual(N)
          await c.close()
        }, LONG)

        it('every 5 records: commits only at multiples of 5', async () => {
          const { topic, groupId, c, policyCommits } = await policyRun({ every: 5 }, 'every5')
          await expectCommitted(groupId, topic, new Map([[0, BigInt(N)]]), 'committed = 20 before close')
          expect(policyCommits().length).toBeLessThanOrEqual(N / 5)
          for (const offset of policyCommits()) expect(offset % 5n).toBe(0n)
          await c.close()
        }, LONG)

        it('every 300 ms: a quiet partition still gets its interval commit', async () => {
          const { topic, groupId, c } = await policyRun({ interval: 300 }, 'interval')
          await expectCommitted(groupId, topic, new Map([[0, BigInt(N)]]), 'interval commit of 20')
          await c.close()
        }, LONG)

        it('every 1000 records or 300 ms: the timer commits what the count has not', async () => {
          const { topic, groupId, c, policyCommits } = await policyRun({ every: 1000, interval: 300 }, 'nort')
          await expectCommitted(groupId, topic, new Map([[0, BigInt(N)]]), 'interval commit of 20')
          // The broker can show a commit before the client has reported it (rdkafka serves the
          // result on its next poll): wait for the report rather than assume it.
          await waitFor(() => policyCommits().length >= 1, { what: 'the policy commit reported' })
          await c.close()
        }, LONG)

        it('manual: nothing until commit(), then exactly the processed prefix', async () => {
          const { topic, groupId, c, policyCommits } = await policyRun('manual', 'manual')
          expect(policyCommits()).toEqual([])
          expect((await harness.committedOffsets(groupId, topic)).get(0)).toBeUndefined()
          await c.consumer.commit()
          expect((await harness.committedOffsets(groupId, topic)).get(0)).toBe(BigInt(N))
          await c.close()
        }, LONG)

        if (options.capabilities.autoCommit === true) {
          it("auto: the client's own auto-commit reaches the processed prefix", async () => {
            const { topic, groupId, c } = await policyRun('auto', 'auto')
            await expectCommitted(groupId, topic, new Map([[0, BigInt(N)]]), 'auto commit of 20')
            await c.close()
          }, LONG)
        } else {
          it(`auto: declared gap — ${options.capabilities.autoCommit}`, async () => {
            // A declared gap must really be one: the adapter refuses the policy up front.
            await expect(factory.createConsumer({ bootstrapServers: '127.0.0.1:1', groupId: 'x', offsetkit: { commit: 'auto' } })).rejects.toBeInstanceOf(ConfigError)
          })
        }

        it('none: never commits, not even on close', async () => {
          const { topic, groupId, c } = await policyRun('none', 'none')
          await c.close()
          expect((await harness.committedOffsets(groupId, topic)).get(0)).toBeUndefined()
        }, LONG)
      })

      it('3. graceful close commits everything done: the next member of the group reprocesses nothing', async () => {
        const topic = await harness.createTopic({ partitions: 3 })
        const groupId = harness.name('g3')
        await harness.produceCount(topic, 60, 3)
        const a = await consume(topic, groupId, { commit: { every: 1000, interval: 600_000 } })
        await waitFor(() => a.processed.length === 60, { what: 'A processed 60' })
        await a.close()
        const committed = await harness.committedOffsets(groupId, topic)
        expect([...committed].sort()).toEqual([[0, 20n], [1, 20n], [2, 20n]])
        await harness.produce(topic, [0, 1, 2].map((partition) => ({ value: 'sentinel', partition })))
        const b = await consume(topic, groupId, { commit: 'per-message' })
        await waitFor(() => b.processed.length >= 3, { what: 'B processed the 3 sentinels' })
        expect(b.processed.map((r) => Buffer.from(r.value!).toString())).toEqual(['sentinel', 'sentinel', 'sentinel'])
        await b.close()
      }, LONG)

      it('4. crash (SIGKILL, several times) → restart: every record at least once, duplicates within the commit window', async () => {
        const topic = await harness.createTopic({ partitions: 3 })
        const groupId = harness.name('g4')
        const total = 3000
        await harness.produceCount(topic, total, 3)
        const every = 50
        const result = await runCrashLoop({
          factoryModule: options.factoryModule,
          bootstrapServers: harness.bootstrapServers,
          groupProtocol: protocol,
          topic,
          groupId,
          total,
          killAfter: [300, 1200, 2100],
          offsetkit: { commit: { every, interval: 60_000 } },
          workMs: 1,
        })
        const distinct = new Set(result.lines)
        expect(distinct.size).toBe(total)
        const duplicates = result.lines.length - distinct.size
        expect(result.kills).toBe(3)
        // A restart redoes exactly what the broker's committed offsets did not cover at the kill,
        // never anything below them (read back from the broker after each kill).
        expect(duplicates).toBeLessThanOrEqual(result.uncommittedAtKill.reduce((a, b) => a + b, 0))
        // And commits kept pace: per kill, fewer than `every` done records since the last
        // acknowledged commit, those finishing while it was in flight (one window more), and on a
        // loaded machine up to two more for a slow round trip. Kills are ~900 records apart: a
        // commit path that stopped committing would leave hundreds here.
        for (const uncommitted of result.uncommittedAtKill) expect(uncommitted).toBeLessThanOrEqual(4 * every)
        await expectCommitted(groupId, topic, await harness.endOffsets(topic), 'final commit at the end offsets')
      }, 300_000)

      for (const ordering of ['unordered', 'key'] as const) {
        it(`5. out-of-order completion (${ordering}): the committed offset never passes an unfinished record`, async () => {
          const topic = await harness.createTopic({ partitions: 3 })
          const groupId = harness.name(`g5-${ordering}`)
          const total = 600
          await harness.produce(topic, Array.from({ length: total }, (_, i) => ({ key: `k${i % 7}`, value: String(i), partition: i % 3 })))
          const done = new Set<string>()
          const violations: string[] = []
          const c = await consume(topic, groupId, { commit: { every: 10, interval: 50 }, ordering, concurrency: 32 }, async (record) => {
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 15)) // simulated I/O, random completion order
            done.add(key(record.partition, record.offset))
          })
          // Read commits back from the broker while records complete out of order.
          let watching = true
          const watcher = (async () => {
            while (watching) {
              const committed = await harness.committedOffsets(groupId, topic)
              // The commit was sent before this read and `done` only grows: every record below a
              // committed offset must be in it now.
              for (const [partition, offset] of committed) {
                for (let o = 0n; offset !== undefined && o < offset; o++) {
                  if (!done.has(key(partition, o))) violations.push(`${partition}:${o} < ${offset}`)
                }
              }
            }
          })()
          await waitFor(() => c.processed.length === total, { what: 'all processed', timeoutMs: 120_000 })
          await expectCommitted(groupId, topic, await harness.endOffsets(topic), 'everything eventually committed')
          watching = false
          await watcher
          expect(violations.slice(0, 5)).toEqual([])
          await c.close()
        }, LONG)
      }

      describe('6. a handler failure pins the watermark', () => {
        const failOn = (value: string) => (record: ConsumedRecord) => {
          if (Buffer.from(record.value!).toString() === value) throw new Error(`cannot process ${value}`)
        }
        const retry = { retries: 2, backoff: { initialMs: 10, maxMs: 10 } }

        it("stop: after retries the partition stops, the commit stays before the failed record", async () => {
          const topic = await harness.createTopic()
          const groupId = harness.name('g6s')
          await harness.produceCount(topic, 10)
          let attempts = 0
          const c = await consume(topic, groupId, { commit: 'per-message-async', failure: { ...retry, then: 'stop' } }, (record) => {
            if (Buffer.from(record.value!).toString() === '5') attempts++
            failOn('5')(record)
          })
          let stopped = false
          c.consumer.on('partition.stopped', () => { stopped = true })
          await waitFor(() => stopped, { what: 'partition stopped' })
          await expectCommitted(groupId, topic, new Map([[0, 5n]]), 'committed stays at 5')
          expect(attempts).toBe(3)
          expect(c.processed.map((r) => Number(r.offset))).toEqual([0, 1, 2, 3, 4])
          await c.close()
          expect((await harness.committedOffsets(groupId, topic)).get(0)).toBe(5n)
        }, LONG)

        it('skip: after retries the record counts as done and the commit moves past it', async () => {
          const topic = await harness.createTopic()
          const groupId = harness.name('g6k')
          await harness.produceCount(topic, 10)
          const c = await consume(topic, groupId, { commit: 'per-message-async', failure: { ...retry, then: 'skip' } }, failOn('5'))
          let skipped = 0
          c.consumer.on('record.skipped', () => skipped++)
          await expectCommitted(groupId, topic, new Map([[0, 10n]]), 'committed moves past the skipped record')
          expect(skipped).toBe(1)
          expect(c.processed).toHaveLength(9)
          await c.close()
        }, LONG)

        it('dead-letter: the record goes to the dead-letter topic with error headers, and the commit moves past', async () => {
          const topic = await harness.createTopic()
          const deadLetterTopic = await harness.createTopic({ prefix: 'dlq' })
          const groupId = harness.name('g6d')
          await harness.produceCount(topic, 10)
          const c = await consume(topic, groupId, { commit: 'per-message-async', failure: { ...retry, then: 'dead-letter' } }, failOn('5'), { deadLetterTopic })
          await expectCommitted(groupId, topic, new Map([[0, 10n]]), 'committed moves past the dead-lettered record')
          const [letter, ...rest] = await harness.readToEnd(deadLetterTopic)
          expect(rest).toEqual([])
          expect(letter).toMatchObject({
            value: '5',
            key: 'k5',
            headers: {
              'offsetkit.dlq.topic': topic,
              'offsetkit.dlq.partition': '0',
              'offsetkit.dlq.offset': '5',
              'offsetkit.dlq.attempts': '3',
              'offsetkit.dlq.error': 'cannot process 5',
            },
          })
          await c.close()
        }, LONG)
      })

      it('7. rebalance: a member joins mid-stream and leaves; nothing lost, duplicates bounded, no commit regresses', async () => {
        const topic = await harness.createTopic({ partitions: 4 })
        const groupId = harness.name('g7')
        const total = 2000
        await harness.produceCount(topic, total, 4)
        const every = 10
        const policy: OffsetkitOptions = { commit: { every, interval: 200 } }
        const slow = () => new Promise((resolve) => setTimeout(resolve, 2))
        const regressions: string[] = []
        const last = new Map<number, bigint>()
        let watching = true
        const watcher = (async () => {
          while (watching) {
            // On a fresh broker the coordinator may still be loading: a read that fails is retried.
            const committed = await harness.committedOffsets(groupId, topic).catch(async (error: unknown) => {
              if ((error as { retriable?: unknown }).retriable !== true) throw error
              await new Promise((resolve) => setTimeout(resolve, 100))
              return new Map<number, bigint | undefined>()
            })
            for (const [partition, offset] of committed) {
              if (offset === undefined) continue
              const before = last.get(partition)
              if (before !== undefined && offset < before) regressions.push(`${partition}: ${before} → ${offset}`)
              last.set(partition, offset)
            }
          }
        })()
        const a = await consume(topic, groupId, policy, slow, { fastRebalance: true })
        await waitFor(() => a.processed.length >= 300, { what: 'A processed 300', timeoutMs: 60_000 })
        const b = await consume(topic, groupId, policy, slow, { fastRebalance: true })
        await waitFor(() => b.consumer.stats().partitions.length > 0, { what: 'B got partitions', timeoutMs: 90_000 })
        // Still mid-stream: more records arrive while both members consume.
        await harness.produceCount(topic, total, 4)
        await waitFor(() => b.processed.length >= 100, { what: 'B processed 100', timeoutMs: 90_000 })
        await b.close()
        const all = () => new Set([...a.processed, ...b.processed].map((r) => key(r.partition, r.offset)))
        await waitFor(() => all().size === 2 * total, { what: 'every record processed', timeoutMs: 120_000 })
        await expectCommitted(groupId, topic, await harness.endOffsets(topic), 'final offsets committed')
        watching = false
        await watcher
        const duplicates = a.processed.length + b.processed.length - 2 * total
        // Two rebalances; per partition at most the uncommitted done records (< every, or one
        // interval's worth) plus the running one can be redone.
        expect(duplicates).toBeLessThanOrEqual(2 * 4 * (every + 1) + 200)
        expect(regressions).toEqual([])
        await a.close()
      }, 300_000)

      describe('8. offset gaps never stall the watermark', () => {
        const trailing = options.capabilities.trailingMarker ?? true
        if (trailing !== true) it.skip(`transaction marker at the very end of the log: declared gap — ${trailing}`, async () => undefined)

        it(`transactional topic with aborted transactions drains to the end offset${trailing === true ? '' : ' (a record after the last marker)'}`, async () => {
          const topic = await harness.createTopic()
          const groupId = harness.name('g8t')
          const batches = Array.from({ length: 6 }, (_, b) => Array.from({ length: 10 }, (_, i) => ({ value: `${b}-${i}`, partition: 0 })))
          await harness.produceTransactional(topic, batches, new Set([1, 4]))
          // With the gap declared, markers stay inside the log: a plain record follows the last one.
          if (trailing !== true) await harness.produce(topic, [{ value: 'after', partition: 0 }])
          const end = (await harness.endOffsets(topic)).get(0)!
          expect(end).toBe(66n + (trailing === true ? 0n : 1n)) // 6 × (10 records + marker)
          const c = await consume(topic, groupId, { commit: { every: 1000, interval: 200 } })
          await expectCommitted(groupId, topic, new Map([[0, end]]), `committed = end offset ${end} (markers and aborted records skipped)`)
          expect(c.processed).toHaveLength(trailing === true ? 40 : 41)
          expect(c.processed.some((r) => /^(1|4)-/.test(Buffer.from(r.value!).toString()))).toBe(false)
          await c.close()
        }, LONG)

        it('compacted topic drains to the end offset', async () => {
          const topic = await harness.createTopic({
            configs: { 'cleanup.policy': 'compact', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.001', 'min.compaction.lag.ms': '0', 'delete.retention.ms': '100' },
          })
          const groupId = harness.name('g8c')
          const produced = 200
          for (let round = 0; round < 4; round++) {
            await harness.produce(topic, Array.from({ length: produced / 4 }, (_, i) => ({ key: `k${i % 5}`, value: `${round}-${i}`, partition: 0 })))
            await new Promise((resolve) => setTimeout(resolve, 150)) // let segment.ms roll the segment
          }
          // Wait until the cleaner has removed superseded records (gaps inside the log).
          await waitFor(async () => {
            await harness.produce(topic, [{ key: 'roll', value: 'roll', partition: 0 }])
            return (await harness.readToEnd(topic)).length < produced / 2
          }, { what: 'log compaction', timeoutMs: 90_000, intervalMs: 1000 })
          const end = (await harness.endOffsets(topic)).get(0)!
          const c = await consume(topic, groupId, { commit: { every: 1000, interval: 200 } })
          await expectCommitted(groupId, topic, new Map([[0, end]]), `committed = end offset ${end}`)
          expect(BigInt(c.processed.length)).toBeLessThan(end)
          await c.close()
        }, LONG)
      })

      it('a topic that does not exist: run() rejects with ClientError TOPIC_NOT_FOUND', async () => {
        const existing = await harness.createTopic()
        const missing = harness.name('missing')
        const consumer = await factory.createConsumer({
          bootstrapServers: harness.bootstrapServers,
          groupId: harness.name('g-missing'),
          offsetkit: {},
          groupProtocol: protocol,
        })
        open.push(consumer)
        const error = await consumer.run({ topics: [existing, missing], handler: () => undefined }).then(() => 'resolved', (e: unknown) => e)
        expect(error).toBeInstanceOf(ClientError)
        expect(isOffsetkitError(error)).toBe(true)
        expect((error as ClientError).code).toBe('TOPIC_NOT_FOUND')
        expect((error as ClientError).topics).toContain(missing)
        expect((error as ClientError).message).toContain(missing)
        // The consumer cleaned up after itself: close() resolves, and nothing created the topic.
        await consumer.close()
        expect(consumer.health().status).toBe('closed')
        expect(await harness.topicExists(missing)).toBe(false)
      }, LONG)

      it('9. bad options are rejected with a typed error before connecting', async () => {
        const nowhere = '127.0.0.1:1' // nothing listens: only a pre-connect check can answer quickly
        for (const [offsetkit, option] of [
          [{ commit: { every: 0 } }, 'commit.every'],
          [{ ordering: 'sideways' }, 'ordering'],
          [{ failure: { then: 'explode' } }, 'failure.then'],
          [{ maxInFlight: -1 }, 'maxInFlight'],
          [{ commitz: 'typo' }, 'options.commitz'],
        ] as const) {
          const error = await factory.createConsumer({ bootstrapServers: nowhere, groupId: 'never', offsetkit: offsetkit as OffsetkitOptions }).catch((e: unknown) => e)
          expect(error).toBeInstanceOf(ConfigError)
          expect((error as ConfigError).option).toBe(option)
        }
      })
    })
  }
}
