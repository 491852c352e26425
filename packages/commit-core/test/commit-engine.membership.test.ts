import { describe, expect, it } from 'vitest'
import type { CommitEngineEvents } from '../src/index.js'
import { ManualHandler, T, records, setup, tick } from './harness.js'

// liveness.membershipProbeMs: after a silence of the group coordinator, records wait for one
// accepted commit before their handlers run, so a member fenced meanwhile processes nothing.

const P0 = { topic: T, partition: 0 }
const PROBE_MS = 5_000

function probeSetup(extra: Parameters<typeof setup>[0] = {}) {
  const h = new ManualHandler()
  const s = setup({ handler: h.handle, commit: { every: 1_000 }, liveness: { membershipProbeMs: PROBE_MS }, ...extra })
  s.port.autoReply = false
  const probing: Array<CommitEngineEvents['membership.probing']> = []
  const probed: Array<CommitEngineEvents['membership.probed']> = []
  s.engine.on('membership.probing', (e) => probing.push(e))
  s.engine.on('membership.probed', (e) => probed.push(e))
  return { ...s, h, probing, probed }
}

/** Runs records 0..n-1 of P0 to done (partition order: one at a time). */
async function process(h: ManualHandler, offsets: number[]): Promise<void> {
  for (const o of offsets) {
    h.call(o, 0).reply.resolve()
    await tick()
  }
}

describe('membership probe', () => {
  it('after a silence, queued records wait for a probe commit of the current offsets, then run', async () => {
    const { engine, port, clock, h, probing, probed } = probeSetup()
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0, 1]))
    await process(h, [0, 1])
    expect(port.requests).toHaveLength(0) // every:1000 has not come due
    clock.advance(PROBE_MS + 1_000)
    engine.recordsArrived(records(T, 0, [2]))
    expect(h.offsets()).toEqual([0n, 1n]) // record 2 waits
    expect(probing).toEqual([{ silentMs: PROBE_MS + 1_000 }])
    expect(port.requests.map((r) => r.offsets.map((o) => o.offset))).toEqual([[2n]])
    clock.advance(7)
    port.answer('ok')
    await tick()
    expect(h.offsets()).toEqual([0n, 1n, 2n])
    expect(probed).toEqual([{ outcome: 'confirmed', waitedMs: 7 }])
    expect(port.committed(T, 0)).toBe(2n)
  })

  it('with nothing moved since the last commit, the probe re-commits the committed offset', async () => {
    const { engine, port, clock, h } = probeSetup()
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    await process(h, [0])
    const committing = engine.commit()
    port.answer('ok')
    await committing
    expect(port.committed(T, 0)).toBe(1n)
    clock.advance(PROBE_MS)
    engine.recordsArrived(records(T, 0, [1]))
    expect(h.offsets()).toEqual([0n])
    expect(port.requests.at(-1)?.offsets.map((o) => [o.partition, o.offset])).toEqual([[0, 1n]])
    port.answer('ok')
    await tick()
    expect(h.offsets()).toEqual([0n, 1n])
  })

  it('a fenced answer holds the records until the client reports the rebalance; nothing is processed meanwhile', async () => {
    const { engine, port, clock, h, probed } = probeSetup()
    engine.assigned([P0])
    clock.advance(PROBE_MS)
    engine.recordsArrived(records(T, 0, [0, 1, 2]))
    port.answer('fenced')
    await tick()
    expect(probed.map((p) => p.outcome)).toEqual(['fenced'])
    expect(h.offsets()).toEqual([])
    engine.recordsArrived(records(T, 0, [3]))
    await tick()
    expect(h.offsets()).toEqual([])
    expect(port.pending).toHaveLength(0) // no probe storm while fenced
    clock.advance(30_000)
    const health = engine.health()
    expect(health.status).toBe('degraded')
    expect(health.membershipProbeAgeMs).toBe(30_000)
    expect(health.reasons.join('\n')).toMatch(/removed from the group/)
    // The client learns it and rejoins: the queued records are dropped with the partition, the
    // new assignment dispatches at once (the coordinator just answered).
    engine.lost([P0])
    await tick()
    // Nothing owned: nothing to ask, and no "confirmed" that nobody confirmed.
    expect(probed.map((p) => p.outcome)).toEqual(['fenced'])
    expect(port.pending).toHaveLength(0)
    engine.assigned([P0])
    engine.recordsArrived(records(T, 0, [0]))
    expect(h.offsets()).toEqual([0n])
    expect(engine.health().membershipProbeAgeMs).toBeUndefined()
  })

  it('a rebalance answer counts: the coordinator knows the member', async () => {
    const { engine, port, clock, h } = probeSetup()
    engine.assigned([P0])
    clock.advance(PROBE_MS)
    engine.recordsArrived(records(T, 0, [0]))
    port.answer('rebalance')
    await tick()
    expect(h.offsets()).toEqual([0n])
  })

  it('an unanswered probe is asked again, keeps the records held and warns once past commitStallMs', async () => {
    const { engine, port, clock, h, logger } = probeSetup({ commitRetry: { retries: 0 }, liveness: { membershipProbeMs: PROBE_MS, commitStallMs: 3_000 } })
    engine.assigned([P0])
    clock.advance(PROBE_MS)
    engine.recordsArrived(records(T, 0, [0]))
    for (let i = 0; i < 4; i++) {
      expect(port.pending).toHaveLength(1)
      clock.advance(1_000)
      port.answer('retriable')
      await tick()
      expect(h.offsets()).toEqual([])
      clock.advance(1_000) // the next probe
    }
    expect(logger.lines.filter((l) => l.level === 'warn' && /membership probe unanswered/.test(l.message))).toHaveLength(1)
    expect(engine.health().status).toBe('degraded')
    port.answer('ok')
    await tick()
    expect(h.offsets()).toEqual([0n])
    expect(engine.health().status).toBe('ok')
  })

  it('no probe while commits are answered within the bound', async () => {
    const { engine, port, clock, h, probing } = probeSetup({ commit: { every: 1 } })
    port.autoReply = true
    engine.assigned([P0])
    for (let o = 0; o < 5; o++) {
      clock.advance(PROBE_MS - 1)
      engine.recordsArrived(records(T, 0, [o]))
      await process(h, [o])
    }
    expect(probing).toEqual([])
    expect(port.requests).toHaveLength(5)
  })

  it("is off with 0, and never probes with commit 'manual' or 'none' or in transactional mode", async () => {
    for (const extra of [{ liveness: { membershipProbeMs: 0 } }, { commit: 'manual' as const }, { commit: 'none' as const }]) {
      const { engine, port, clock, h, probing } = probeSetup(extra)
      engine.assigned([P0])
      clock.advance(PROBE_MS * 10)
      engine.recordsArrived(records(T, 0, [0]))
      expect(h.offsets()).toEqual([0n])
      expect(probing).toEqual([])
      expect(port.requests).toHaveLength(0)
    }
  })

  it('a revocation settles a probe under way: the member heard from its coordinator', async () => {
    const P1 = { topic: T, partition: 1 }
    const { engine, port, clock, h, probed } = probeSetup()
    engine.assigned([P0, P1])
    clock.advance(PROBE_MS)
    engine.recordsArrived([...records(T, 0, [0]), ...records(T, 1, [0])])
    expect(h.offsets()).toEqual([])
    const revoking = engine.revoked([P1])
    port.answer('ok') // the probe
    await tick()
    if (port.pending.length > 0) port.answer('ok') // the revoke commit
    await revoking
    expect(h.calls.map((c) => [c.record.partition, c.record.offset])).toEqual([[0, 0n]])
    expect(probed).toHaveLength(1) // one answer per probe, whichever came first
  })
})
