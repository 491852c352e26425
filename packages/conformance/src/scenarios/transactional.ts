import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import type { OffsetkitOptions } from '@offsetkit/commit-core'
import { waitFor } from '@offsetkit/broker'
import { forkConsumerChild, recordLines, runCrashLoop } from '../crash-loop.js'
import { key, LONG, type SuiteContext } from '../suite-context.js'

/**
 * E. Exactly-once consume-transform-produce (`mode: 'transactional'`). Each scenario reads the
 * OUTPUT topic as a read_committed reader would (aborted transactions invisible) and checks that
 * it holds one output per input record — no more, no less — and that the group's committed
 * offsets (read back from the broker) reached the input's end.
 */
export function registerTransactional(ctx: SuiteContext): void {
  const { api: { it, expect }, factory, options, protocol, consume, expectCommitted } = ctx
  const gap = factory.capabilities.transactions
  if (gap !== true) {
    it.skip(`E. exactly-once: declared gap: ${gap ?? 'the adapter has no transactional mode'}`, async () => undefined)
    return
  }
  const eos = (commit: OffsetkitOptions['commit'] = { every: 50 }, extra: Partial<OffsetkitOptions> = {}): OffsetkitOptions =>
    ({ mode: 'transactional', commit, ...extra }) as OffsetkitOptions

  /** Input and output topics; the input holds `total` records over 3 partitions. */
  async function topics(total: number): Promise<{ input: string; output: string }> {
    const input = await ctx.harness.createTopic({ partitions: 3, prefix: 'eos-in' })
    const output = await ctx.harness.createTopic({ partitions: 3, prefix: 'eos-out' })
    if (total > 0) await ctx.harness.produceCount(input, total, 3)
    return { input, output }
  }

  /** The output topic, read_committed, holds exactly one output per input record. */
  async function expectExactlyOnce(input: string, output: string): Promise<void> {
    const ends = await ctx.harness.endOffsets(input)
    const expected = [...ends].flatMap(([partition, end]) => Array.from({ length: Number(end) }, (_, offset) => key(partition, BigInt(offset))))
    const rows = await ctx.harness.readCommitted(output)
    const keys = rows.map((r) => r.key ?? '')
    const seen = new Map<string, number>()
    for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1)
    const twice = [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k}×${n}`)
    const missing = expected.filter((k) => !seen.has(k))
    expect({ outputs: keys.length, twice: twice.slice(0, 10), missing: missing.slice(0, 10) }).toEqual({ outputs: expected.length, twice: [], missing: [] })
  }

  const send = (output: string) => (record: { partition: number; offset: bigint }, context: { send(topic: string, m: { key: string; value: string }): void }) =>
    context.send(output, { key: key(record.partition, record.offset), value: 'out' })

  it('E1. exactly-once: every input record has exactly one output (read_committed) and the committed offsets reach the end', async () => {
    const total = 300
    const { input, output } = await topics(total)
    const groupId = ctx.harness.name('ge1')
    const c = await consume(input, groupId, eos(), send(output), { transactionalId: ctx.harness.name('tx-e1') })
    await expectCommitted(groupId, input, await ctx.harness.endOffsets(input), 'transactions committed the input to its end')
    await c.close()
    await expectExactlyOnce(input, output)
  }, LONG)

  ctx.longIt('E2. exactly-once across 3 SIGKILLs of the transactional consumer: aborted transactions stay invisible, each output once', async () => {
    const total = 1500
    const { input, output } = await topics(total)
    const groupId = ctx.harness.name('ge2')
    const result = await runCrashLoop({
      factoryModule: options.factoryModule,
      bootstrapServers: ctx.harness.bootstrapServers,
      groupProtocol: protocol,
      topic: input,
      groupId,
      total,
      killAfter: [300, 700, 1100],
      offsetkit: { mode: 'transactional', commit: { every: 50, interval: 60_000 } },
      workMs: 1,
      // The same id for every restart: the new producer fences the dead one and aborts its transaction.
      transactionalId: ctx.harness.name('tx-e2'),
      outputTopic: output,
    })
    expect(result.kills).toBe(3)
    // Processing is at-least-once (a restart redoes what no transaction committed) ...
    expect(new Set(result.lines).size).toBe(total)
    await expectCommitted(groupId, input, await ctx.harness.endOffsets(input), 'final transaction at the end offsets')
    // ... and the outputs exactly once.
    await expectExactlyOnce(input, output)
  }, 300_000, (p) => p === 'consumer')

  it('E3. exactly-once through handler failures: what a failed attempt sent is never produced', async () => {
    const total = 300
    const { input, output } = await topics(total)
    const groupId = ctx.harness.name('ge3')
    let failures = 0
    const flaky = (record: { partition: number; offset: bigint }, context: { attempt: number; send(topic: string, m: { key: string; value: string }): void }) => {
      // Sends first, then fails: the output of that attempt must be discarded.
      context.send(output, { key: key(record.partition, record.offset), value: `attempt ${context.attempt}` })
      if (record.offset % 7n === 3n && context.attempt === 1) {
        failures++
        throw new Error('transient failure after sending')
      }
    }
    const c = await consume(input, groupId, eos({ every: 20 }, { failure: { retries: 2, backoff: { initialMs: 5, maxMs: 5 } } }), flaky, {
      transactionalId: ctx.harness.name('tx-e3'),
    })
    await expectCommitted(groupId, input, await ctx.harness.endOffsets(input), 'committed to the end')
    await c.close()
    expect(failures).toBeGreaterThan(30)
    await expectExactlyOnce(input, output)
    const rows = await ctx.harness.readCommitted(output)
    expect(rows.filter((r) => r.value === 'attempt 1' && BigInt(r.key?.split(':')[1] ?? -1) % 7n === 3n)).toEqual([])
  }, LONG)

  ctx.longIt('E4. exactly-once through a rebalance: a member joins mid-stream and leaves', async () => {
    const total = 1200
    const { input, output } = await topics(total)
    const groupId = ctx.harness.name('ge4')
    const slow = (record: { partition: number; offset: bigint }, context: { send(topic: string, m: { key: string; value: string }): void }) => {
      context.send(output, { key: key(record.partition, record.offset), value: 'out' })
      return new Promise((resolve) => setTimeout(resolve, 2))
    }
    const policy = eos({ every: 20, interval: 200 })
    const a = await consume(input, groupId, policy, slow, { fastRebalance: true, transactionalId: ctx.harness.name('tx-e4a') })
    await waitFor(() => a.processed.length >= 200, { what: 'A processed 200', timeoutMs: 60_000 })
    const b = await consume(input, groupId, policy, slow, { fastRebalance: true, transactionalId: ctx.harness.name('tx-e4b') })
    await waitFor(() => b.consumer.stats().partitions.length > 0, { what: 'B got partitions', timeoutMs: 90_000 })
    // Still mid-stream: more records arrive while both members consume.
    await ctx.harness.produceCount(input, total, 3)
    await waitFor(() => b.processed.length >= 100, { what: 'B processed 100', timeoutMs: 90_000 })
    await b.close()
    await expectCommitted(groupId, input, await ctx.harness.endOffsets(input), 'committed to the end')
    await a.close()
    await expectExactlyOnce(input, output)
  }, 300_000)

  const zombieGap = protocol === 'consumer'
    ? 'declared gap: under KIP-848 the session timeout is the broker\'s (group.consumer.session.timeout.ms, 45 s by default), so a frozen member outlives the scenario\'s bounds; the zombie is proven on the classic protocol'
    : typeof factory.capabilities.transactionalZombie === 'string' ? factory.capabilities.transactionalZombie : undefined
  if (zombieGap !== undefined) it.skip(`E5. exactly-once with a zombie: ${zombieGap}`, async () => undefined)
  else ctx.longIt('E5. exactly-once with a zombie: a member frozen past its session timeout, then thawed, cannot commit over the new owner', async () => {
    const total = 1200
    const { input, output: outputTopic } = await topics(total)
    const groupId = ctx.harness.name('ge5')
    const dir = mkdtempSync(join(tmpdir(), 'offsetkit-zombie-'))
    const children: ChildProcess[] = []
    const output: string[] = []
    const child = (name: string): { process: ChildProcess; file: string } => {
      const file = join(dir, `${name}.log`)
      const process = forkConsumerChild({
        factoryModule: options.factoryModule,
        bootstrapServers: ctx.harness.bootstrapServers,
        groupProtocol: protocol,
        topic: input,
        groupId,
        offsetkit: { mode: 'transactional', commit: { every: 30, interval: 500 } },
        workMs: 3,
        transactionalId: ctx.harness.name(`tx-e5${name}`),
        outputTopic,
      }, file)
      children.push(process)
      // Drain its output (a full pipe would block the child on its next log line); kept for failures.
      for (const stream of [process.stdout, process.stderr]) stream?.on('data', (chunk: Buffer) => output.push(`[${name}] ${chunk.toString()}`))
      return { process, file }
    }
    try {
      const zombie = child('a')
      await waitFor(() => recordLines(zombie.file).length >= 150, { what: 'A processed 150', timeoutMs: 90_000 })
      // Frozen with records in flight and a transaction open.
      zombie.process.kill('SIGSTOP')
      const successor = child('b')
      // B can only process once A's session expired and its partitions moved.
      await waitFor(() => recordLines(successor.file).length >= 150, { what: 'B took over and processed 150', timeoutMs: 120_000 })
      zombie.process.kill('SIGCONT')
      const processed = () => new Set([...recordLines(zombie.file), ...recordLines(successor.file)])
      await waitFor(() => processed().size >= total, { what: 'every input record processed', timeoutMs: 120_000 })
      await expectCommitted(groupId, input, await ctx.harness.endOffsets(input), 'committed to the end')
      for (const c of [successor.process, zombie.process]) {
        // The zombie may be gone already: a fenced transactional producer is fatal to the
        // librdkafka adapters, which close the consumer, and the child can exit by itself. Its
        // 'exit' event is then past, and awaiting it would wait for ever (the likely cause of E5's
        // intermittent hang on confluent and node-rdkafka).
        if (c.exitCode !== null || c.signalCode !== null) continue
        c.kill('SIGTERM')
        await waitFor(() => c.exitCode !== null || c.signalCode !== null, { what: `consumer child ${c.pid} to exit after SIGTERM`, timeoutMs: 45_000 })
      }
      await expectExactlyOnce(input, outputTopic)
    } catch (error) {
      throw new Error(`${(error as Error).message}\nconsumer output (last 4000 chars):\n${output.join('').slice(-4000)}`, { cause: error })
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  }, 600_000) // above the sum of its waits' deadlines, so a stuck step fails with its own message
}
