import { describe, expect, it } from 'vitest'
import { waitFor } from '../src/index.js'

describe('waitFor', () => {
  it('returns the first value that is neither undefined nor false', async () => {
    let n = 0
    await expect(waitFor(() => (++n >= 3 ? `after ${n}` : false), { intervalMs: 1 })).resolves.toBe('after 3')
  })

  it('fails after the deadline with the last value or error it saw', async () => {
    await expect(waitFor(() => false, { timeoutMs: 30, intervalMs: 5, what: 'never' })).rejects.toThrow(/Timed out after 30 ms waiting for never \(last: false\)/)
    await expect(waitFor(() => { throw new Error('no broker') }, { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(/last: no broker/)
  })

  // A probe that never settles (a request to a frozen broker) must not hold the wait past its deadline.
  it('fails on time when the probe itself never answers', async () => {
    const started = Date.now()
    await expect(waitFor(() => new Promise<boolean>(() => undefined), { timeoutMs: 50, intervalMs: 10, what: 'a stuck probe' }))
      .rejects.toThrow(/Timed out after 50 ms waiting for a stuck probe \(last: the probe itself had not answered by the deadline\)/)
    expect(Date.now() - started).toBeLessThan(1000)
  })
})
