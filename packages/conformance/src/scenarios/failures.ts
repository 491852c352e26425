import { type ConsumedRecord } from '@offsetkit/commit-core'
import { waitFor } from '@offsetkit/broker'
import { LONG, type SuiteContext } from '../suite-context.js'

/** 6. A handler failure pins the watermark: stop, skip, dead-letter. */
export function registerFailures(ctx: SuiteContext): void {
  const { api: { describe, it, expect }, consume, expectCommitted } = ctx
  describe('6. a handler failure pins the watermark', () => {
    const failOn = (value: string) => (record: ConsumedRecord) => {
      if (Buffer.from(record.value!).toString() === value) throw new Error(`cannot process ${value}`)
    }
    const retry = { retries: 2, backoff: { initialMs: 10, maxMs: 10 } }

    it("stop: after retries the partition stops, the commit stays before the failed record", async () => {
      const topic = await ctx.harness.createTopic()
      const groupId = ctx.harness.name('g6s')
      await ctx.harness.produceCount(topic, 10)
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
      expect((await ctx.harness.committedOffsets(groupId, topic)).get(0)).toBe(5n)
    }, LONG)

    it('skip: after retries the record counts as done and the commit moves past it', async () => {
      const topic = await ctx.harness.createTopic()
      const groupId = ctx.harness.name('g6k')
      await ctx.harness.produceCount(topic, 10)
      const c = await consume(topic, groupId, { commit: 'per-message-async', failure: { ...retry, then: 'skip' } }, failOn('5'))
      let skipped = 0
      c.consumer.on('record.skipped', () => skipped++)
      await expectCommitted(groupId, topic, new Map([[0, 10n]]), 'committed moves past the skipped record')
      expect(skipped).toBe(1)
      expect(c.processed).toHaveLength(9)
      await c.close()
    }, LONG)

    it('dead-letter: the record goes to the dead-letter topic with error headers, and the commit moves past', async () => {
      const topic = await ctx.harness.createTopic()
      const deadLetterTopic = await ctx.harness.createTopic({ prefix: 'dlq' })
      const groupId = ctx.harness.name('g6d')
      await ctx.harness.produceCount(topic, 10)
      const c = await consume(topic, groupId, { commit: 'per-message-async', failure: { ...retry, then: 'dead-letter' } }, failOn('5'), { deadLetterTopic })
      await expectCommitted(groupId, topic, new Map([[0, 10n]]), 'committed moves past the dead-lettered record')
      const [letter, ...rest] = await ctx.harness.readToEnd(deadLetterTopic)
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
}
