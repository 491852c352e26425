import { describe, expect, it } from 'vitest'
import { RunMeter } from '../src/run-meter.js'

const memory = { rssMiB: 100, heapMiB: 20 }

describe('RunMeter', () => {
  it('times from the warm-up to the exact count and counts commits acknowledged inside the window', async () => {
    const meter = new RunMeter(2, 3)
    meter.commitSucceeded(1) // warm-up: outside the window
    meter.record()
    meter.record()
    meter.commitStarted()
    meter.commitSucceeded(4)
    for (let i = 0; i < 3; i++) meter.record()
    await meter.done
    meter.commitSucceeded(5) // final commit: outside the window
    meter.settle()
    const reading = meter.reading(memory)
    expect(reading).toMatchObject({ records: 3, commits: 1, rssMiB: 100, heapMiB: 20 })
    expect(reading.commitsPerSec).toBeGreaterThan(0)
  })

  it('untilCommitted: the window ends at the last commit acknowledged after the last record', async () => {
    const meter = new RunMeter(1, 2, true)
    for (let i = 0; i < 3; i++) meter.record()
    await meter.done
    expect(() => meter.reading(memory)).toThrow(/before the run reached its count/)
    meter.commitSucceeded(7)
    meter.settle()
    const reading = meter.reading(memory)
    expect(reading.records).toBe(2)
    expect(reading.commitP50Ms).toBe(7)
  })

  it('untilCommitted without a commit after the last record fails the run', async () => {
    const meter = new RunMeter(1, 2, true)
    meter.record()
    meter.commitSucceeded(3)
    meter.record()
    meter.record()
    await meter.done
    expect(() => meter.settle()).toThrow(/no commit was acknowledged after the last record/)
  })
})
