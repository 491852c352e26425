import { describe, expect, it } from 'vitest'
import { defaultArms, defaultShapes, makePlan } from '../src/bench-plan.js'

describe('makePlan', () => {
  it('has every arm of the issue once per client', () => {
    const ids = defaultArms().map((a) => a.id)
    expect(ids).toEqual(expect.arrayContaining([
      'none', 'auto', 'per-message', 'per-message-async', 'every:10', 'every:100', 'every:1000', 'interval:100', 'interval:1000',
      'every:1000,interval:1000', 'unordered c16 10ms', 'unordered c64 10ms', 'raw none', 'raw every:1000', 'raw auto',
    ]))
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('marks offsetkit auto n/a on kafkajs and confluent, runs it on node-rdkafka, and shuffles every run', () => {
    const plan = makePlan({ quick: false, clients: ['kafkajs', 'confluent', 'node-rdkafka'], seed: 1 })
    expect(plan.runs).toBe(3)
    expect(plan.unsupported.map((u) => `${u.client} ${u.arm}`)).toEqual(['kafkajs auto', 'confluent auto'])
    expect(plan.tasks.filter((t) => t.arm.id === 'auto').map((t) => t.client)).toEqual(['node-rdkafka', 'node-rdkafka', 'node-rdkafka'])
    expect(plan.tasks.filter((t) => t.arm.id === 'raw auto')).toHaveLength(9)
    expect(plan.tasks).toHaveLength((defaultArms().length * 3 - 2) * 3)
    // Shuffled: the first few tasks are not one client's arms in display order.
    expect(plan.tasks.slice(0, 6).every((t) => t.client === 'kafkajs')).toBe(false)
    expect(makePlan({ quick: false, clients: ['kafkajs'], seed: 1 }).tasks).toEqual(makePlan({ quick: false, clients: ['kafkajs'], seed: 1 }).tasks)
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
})
