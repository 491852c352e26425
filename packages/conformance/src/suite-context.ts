import type { CommitRequest, ConsumedRecord, HandlerContext, OffsetkitConsumer, OffsetkitOptions } from '@offsetkit/commit-core'
import { waitFor } from '@offsetkit/broker'
import type { ConformanceFactory } from './conformance-factory.js'
import { KafkaHarness, type OffsetsByPartition } from './kafka-harness.js'

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
  /** Absolute path of the module exporting `factory`, for scenarios run in a child process. */
  readonly factoryModule: string
  /** Runs the suite once more with `group.protocol=consumer` (KIP-848) where supported. */
  readonly groupProtocols?: readonly GroupProtocol[]
  /**
   * `'fast'` leaves out the long fault scenarios (each reported as skipped, naming where it runs);
   * `'full'` runs everything. Default: `'full'` when the environment has `OFFSETKIT_CONFORMANCE=full`
   * (what `pnpm validate:conformance` sets), else `'fast'` (what `pnpm test` runs).
   */
  readonly tier?: 'fast' | 'full'
}

export type GroupProtocol = 'classic' | 'consumer'

export interface ConsumeExtra {
  deadLetterTopic?: string
  fastRebalance?: boolean
  transactionalId?: string
}

/** A consumer started by `consume`, with what it processed and the commits it reported. */
export interface RunningConsumer {
  readonly consumer: OffsetkitConsumer
  readonly processed: ConsumedRecord[]
  readonly commits: CommitRequest[]
  close(): Promise<void>
}

/** What every scenario registrar gets: one per group protocol, shared by the scenarios of that run. */
export interface SuiteContext {
  readonly api: SuiteApi
  readonly factory: ConformanceFactory
  readonly options: ConformanceSuiteOptions
  readonly protocol: GroupProtocol
  /** Set in beforeAll: read it inside tests and hooks, never while registering. */
  readonly harness: KafkaHarness
  /** Consumers still open; afterEach closes them. */
  readonly open: OffsetkitConsumer[]
  /** Starts a consumer on `topic`; every processed record is appended to `processed`. */
  consume(
    topic: string,
    groupId: string,
    offsetkit: OffsetkitOptions,
    handle?: (record: ConsumedRecord, context: HandlerContext) => void | Promise<unknown>,
    extra?: ConsumeExtra,
  ): Promise<RunningConsumer>
  /**
   * Registers a long fault scenario: run in the full tier, reported as skipped (with where it
   * runs) in the fast one. `when` narrows it to the protocols where it is long.
   */
  longIt(name: string, fn: () => Promise<void>, timeoutMs: number, when?: (protocol: GroupProtocol) => boolean): void
  /** Waits until the broker shows exactly `expected` for the group (read back through the harness). */
  expectCommitted(groupId: string, topic: string, expected: Map<number, bigint | undefined>, what: string): Promise<OffsetsByPartition>
}

export const key = (partition: number, offset: bigint | string) => `${partition}:${offset}`
export const LONG = 180_000

/**
 * The context for one group protocol, with its lifecycle: registers the beforeAll/afterEach/
 * afterAll hooks (harness, closing open consumers, factory cleanup), so call it inside the
 * protocol's describe block.
 */
export function defineSuiteContext(api: SuiteApi, factory: ConformanceFactory, options: ConformanceSuiteOptions, protocol: GroupProtocol): SuiteContext {
  const { beforeAll, afterAll, afterEach } = api
  let harness: KafkaHarness | undefined
  const open: OffsetkitConsumer[] = []
  const getHarness = (): KafkaHarness => {
    if (harness === undefined) throw new Error('the conformance harness is read before beforeAll ran')
    return harness
  }

  beforeAll(async () => {
    harness = new KafkaHarness(options.bootstrapServers())
  })
  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((c) => c.close()))
  }, LONG)
  afterAll(async () => {
    await factory.cleanup?.()
    await getHarness().close()
  }, LONG)

  async function consume(
    topic: string,
    groupId: string,
    offsetkit: OffsetkitOptions,
    handle: (record: ConsumedRecord, context: HandlerContext) => void | Promise<unknown> = () => undefined,
    extra: ConsumeExtra = {},
  ): Promise<RunningConsumer> {
    const processed: ConsumedRecord[] = []
    const consumer = await factory.createConsumer({
      bootstrapServers: getHarness().bootstrapServers,
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
      handler: async (record, context) => {
        await handle(record, context)
        processed.push(record)
      },
    })
    const close = async () => {
      open.splice(open.indexOf(consumer), 1)
      await consumer.close()
    }
    return { consumer, processed, commits, close }
  }

  async function expectCommitted(groupId: string, topic: string, expected: Map<number, bigint | undefined>, what: string): Promise<OffsetsByPartition> {
    const want = JSON.stringify([...expected].map(([p, o]) => [p, o?.toString()]))
    const got = await waitFor(async () => {
      const committed = await getHarness().committedOffsets(groupId, topic)
      const view = JSON.stringify([...expected.keys()].map((p) => [p, committed.get(p)?.toString()]))
      return view === want ? committed : undefined
    }, { what, timeoutMs: 60_000 })
    return got
  }

  const tier = options.tier ?? (process.env['OFFSETKIT_CONFORMANCE'] === 'full' ? 'full' : 'fast')
  function longIt(name: string, fn: () => Promise<void>, timeoutMs: number, when: (p: GroupProtocol) => boolean = () => true): void {
    if (tier === 'full' || !when(protocol)) api.it(name, fn, timeoutMs)
    else api.it.skip(`${name} — long fault scenario: runs in \`pnpm validate:conformance\` (OFFSETKIT_CONFORMANCE=full)`, async () => undefined)
  }

  return {
    api,
    factory,
    options,
    protocol,
    open,
    longIt,
    get harness() {
      return getHarness()
    },
    consume,
    expectCommitted,
  }
}
