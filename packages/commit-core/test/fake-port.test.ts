import { describe, expect, it } from 'vitest'
import { FakeClientError, FakePort } from '@offsetkit/commit-core/testing'
import { commitOffsetFromBigInt } from '../src/offset.js'
import { tick } from './harness.js'

describe('FakePort', () => {
  it('holds commits until the test answers them, and records what the broker accepted', async () => {
    const port = new FakePort()
    port.autoReply = false
    const reply = port.commit({ offsets: [{ topic: 't', partition: 0, offset: commitOffsetFromBigInt(5n) }], sync: true, reason: 'manual' })
    expect(port.maxOutstanding).toBe(1)
    port.answer()
    await reply
    expect(port.committed('t', 0)).toBe(5n)
    expect(() => port.answer()).toThrow('no outstanding commit to answer')
  })

  it('fails auto-replied commits as queued, classified by the fake error', async () => {
    const port = new FakePort()
    port.failures = ['rebalance']
    const failed = port.commit({ offsets: [], sync: false, reason: 'policy' }).catch((error: unknown) => error)
    await tick()
    const error = await failed
    expect(error).toBeInstanceOf(FakeClientError)
    expect(port.classifyCommitError(error)).toBe('rebalance')
    expect(port.classifyCommitError(new Error('other'))).toBe('fatal')
  })
})
