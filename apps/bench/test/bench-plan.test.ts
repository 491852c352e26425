import { describe, expect, it } from 'vitest'
import { ceilingArms, defaultArms, defaultShapes, makePlan } from '../src/bench-plan.js'

describe('makePlan', () => {
  it('has every arm of the issue once per client', () => {
    const ids = defaultArms().map((a) => a.id)
    expect(ids).toEqual(expect.arrayContaining([
      'none', 'auto', 'per-message', 'per-message-async', 'every:10', 'every:100', 'every:1000', 'interval:100', 'interval:1000',
      'every:1000,interval:1000', 'unordered c16 10ms', 'unordered c64 10ms', 'raw none', 'raw every:1000', 'raw auto',
      'java', 'tx every:100', 'tx every:1000', 'tx interval:100', 'batch none', 'batch every:1000', 'raw per-message',
    ]))
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('marks offsetkit auto n/a on kafkajs and confluent, runs it on node-rdkafka, and shuffles every run', () => {
    const plan = makePlan({ quick: false, clients: ['kafkajs', 'confluent', 'node-rdkafka'], seed: 1 })
    expect(plan.runs).toBe(3)
    expect(plan.unsupported.map((u) => `${u.client} ${u.arm}`)).toEqual(['kafkajs auto', 'confluent auto'])
    expect(plan.tasks.filter((t) => t.arm.id === 'auto').map((t) => t.client)).toEqual(['node-rdkafka', 'node-rdkafka', 'node-rdkafka'])
    expect(plan.tasks.filter((t) => t.arm.id === 'raw auto')).toHaveLength(9)
    // The Java anchor runs once per run number, not once per client.
    expect(plan.tasks.filter((t) => t.arm.id === 'java').map((t) => t.client)).toEqual(['java', 'java', 'java'])
    expect(plan.tasks).toHaveLength(((defaultArms().length - 1) * 3 - 2 + 1) * 3)
    // Shuffled: the first few tasks are not one client's arms in display order.
    expect(plan.tasks.slice(0, 6).every((t) => t.client === 'kafkajs')).toBe(false)
    expect(makePlan({ quick: false, clients: ['kafkajs'], seed: 1 }).tasks).toEqual(makePlan({ quick: false, clients: ['kafkajs'], seed: 1 }).tasks)
  })

  it('transactional arms are offsetkit arms in transactional mode at the asked cadence, on the main topic', () => {
    const tx = defaultArms().filter((a) => a.transactional)
    expect(tx.map((a) => [a.id, a.commit, a.kind, a.shape])).toEqual([
      ['tx every:100', { every: 100 }, 'offsetkit', 'main'],
      ['tx every:1000', { every: 1000 }, 'offsetkit', 'main'],
      ['tx interval:100', { interval: 100 }, 'offsetkit', 'main'],
    ])
    expect(defaultArms().find((a) => a.id === 'java')).toMatchObject({ kind: 'java', shape: 'main', transactional: false })
  })

  it('quick runs each cell once on smaller topics', () => {
    const plan = makePlan({ quick: true, clients: ['kafkajs'] })
    expect(plan.runs).toBe(1)
    const full = defaultShapes(false)
    for (const shape of defaultShapes(true)) {
      expect(shape.warmup).toBeGreaterThan(0)
      expect(shape.records).toBeLessThanOrEqual(full.find((s) => s.id === shape.id)?.records ?? 0)
    }
  })

  it('ceiling arms are raw no-commit loops, each run on its one client only, outside the default matrix', () => {
    const arms = ceilingArms()
    expect(arms.every((a) => a.kind === 'raw' && a.commit === 'none' && a.shape === 'main' && a.variant !== undefined)).toBe(true)
    expect(defaultArms().some((a) => a.variant !== undefined)).toBe(false)
    const plan = makePlan({ quick: true, clients: ['kafkajs', 'confluent', 'node-rdkafka'], arms, seed: 1 })
    for (const task of plan.tasks) expect(task.arm.variant?.client).toBe(task.client)
    expect(plan.tasks).toHaveLength(arms.length)
    expect(plan.unsupported).toEqual([])
  })

  it('--records sizes the main topic only', () => {
    const plan = makePlan({ quick: false, clients: ['kafkajs'], records: 2_000_000 })
    expect(plan.shapes.find((s) => s.id === 'main')?.records).toBe(2_000_000)
    expect(plan.shapes.filter((s) => s.id !== 'main')).toEqual(defaultShapes(false).filter((s) => s.id !== 'main'))
  })
})
