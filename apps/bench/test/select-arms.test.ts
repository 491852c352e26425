import { describe, expect, it } from 'vitest'
import { allArms, ceilingArms } from '../src/bench-plan.js'
import { parseCommand, type BenchCommand } from '../src/parse-args.js'
import { selectArms } from '../src/select-arms.js'
import { UsageError } from '../src/usage-error.js'

const ids = (text: string): string[] => selectArms(text).map((a) => a.id)

describe('selectArms (--arms)', () => {
  it('takes ids and groups, in display order, once each', () => {
    expect(ids('java,none,every:1000,tx')).toEqual(['java', 'none', 'every:1000', 'tx every:100', 'tx every:1000', 'tx interval:100'])
    expect(ids('every:1000,none,none')).toEqual(['none', 'every:1000'])
    expect(ids('raw')).toEqual(['raw none', 'raw every:1000', 'raw per-message', 'raw auto'])
    expect(ids('io')).toEqual(['partition 10ms', 'unordered c16 10ms', 'unordered c64 10ms'])
    expect(ids(' java , raw none ')).toEqual(['java', 'raw none'])
    expect(ids('batch')).toEqual(['batch none', 'batch every:1000'])
    expect(ids('ceiling')).toEqual(ceilingArms().map((a) => a.id))
    expect(ids('raw none,raw none consume(1000)')).toEqual(['raw none', 'raw none consume(1000)'])
  })

  it('reads ids that hold a comma greedily', () => {
    expect(ids('every:1000,interval:1000')).toEqual(['every:1000,interval:1000'])
    expect(ids('interval:1000,every:1000')).toEqual(['every:1000', 'interval:1000'])
    expect(ids('none,every:1000,interval:1000,tx every:100')).toEqual(['none', 'every:1000,interval:1000', 'tx every:100'])
  })

  it.each(['nope', 'java,nope', '', 'java,', 'tx every:5', 'TX'])('%j is a usage error naming --arms and the accepted ids', (text) => {
    let error: unknown
    try {
      selectArms(text)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).flag).toBe('--arms')
    expect((error as UsageError).message).toContain('tx every:1000')
    expect((error as UsageError).message).toContain('groups (tx, batch, raw, ceiling, io)')
  })

  it('every arm id selects exactly itself', () => {
    for (const arm of allArms()) expect(ids(arm.id)).toEqual([arm.id])
  })

  it('bench --arms parses into arm ids; no --arms means every arm', () => {
    expect((parseCommand(['bench', '--arms', 'java,tx every:1000']) as BenchCommand).arms).toEqual(['java', 'tx every:1000'])
    expect((parseCommand(['bench']) as BenchCommand).arms).toBeUndefined()
  })
})
