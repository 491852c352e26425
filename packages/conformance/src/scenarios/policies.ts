import { ConfigError, type OffsetkitOptions } from '@offsetkit/commit-core'
import { waitFor } from '@offsetkit/broker'
import { LONG, type SuiteContext } from '../suite-context.js'

/** 2. Each commit policy commits when it says it does; `auto` runs or is a declared gap. */
export function registerPolicies(ctx: SuiteContext): void {
  const { api: { describe, it, expect }, consume, expectCommitted, factory } = ctx
  describe('2. each policy commits when it says it does', () => {
    const N = 20
    async function policyRun(commit: NonNullable<OffsetkitOptions['commit']>, prefix: string) {
      const topic = await ctx.harness.createTopic({ prefix })
      const groupId = ctx.harness.name(prefix)
      await ctx.harness.produceCount(topic, N)
      const c = await consume(topic, groupId, { commit })
      await waitFor(() => c.processed.length === N, { what: `${N} records processed` })
      const policyCommits = () => c.commits.filter((r) => r.reason === 'policy').map((r) => r.offsets[0]!.offset)
      return { topic, groupId, c, policyCommits }
    }

    it('per-message (sync): one acknowledged commit per record, before the next record runs', async () => {
      const topic = await ctx.harness.createTopic({ prefix: 'pm' })
      const groupId = ctx.harness.name('pm')
      await ctx.harness.produceCount(topic, N)
      const seenAtStart: Array<bigint | undefined> = []
      const c = await consume(topic, groupId, { commit: 'per-message' }, async (record) => {
        // The previous record's commit is acknowledged before this one is dispatched.
        if (record.offset > 0n) seenAtStart.push((await ctx.harness.committedOffsets(groupId, topic)).get(0))
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
      expect((await ctx.harness.committedOffsets(groupId, topic)).get(0)).toBeUndefined()
      await c.consumer.commit()
      expect((await ctx.harness.committedOffsets(groupId, topic)).get(0)).toBe(BigInt(N))
      await c.close()
    }, LONG)

    if (factory.capabilities.autoCommit === true) {
      it("auto: the client's own auto-commit reaches the processed prefix", async () => {
        const { topic, groupId, c } = await policyRun('auto', 'auto')
        await expectCommitted(groupId, topic, new Map([[0, BigInt(N)]]), 'auto commit of 20')
        await c.close()
      }, LONG)
    } else {
      it(`auto: declared gap — ${factory.capabilities.autoCommit}`, async () => {
        // A declared gap must really be one: the adapter refuses the policy up front.
        await expect(factory.createConsumer({ bootstrapServers: '127.0.0.1:1', groupId: 'x', offsetkit: { commit: 'auto' } })).rejects.toBeInstanceOf(ConfigError)
      })
    }

    it('none: never commits, not even on close', async () => {
      const { topic, groupId, c } = await policyRun('none', 'none')
      await c.close()
      expect((await ctx.harness.committedOffsets(groupId, topic)).get(0)).toBeUndefined()
    }, LONG)
  })
}
