import { describe, expect, it } from 'vitest'
import { FakeClock, flushMicrotasks } from '@offsetkit/commit-core/testing'

describe('FakeClock', () => {
  it('fires timers in time order, then creation order, as time is advanced', () => {
    const clock = new FakeClock(100)
    const fired: string[] = []
    clock.schedule(20, () => fired.push('b'))
    clock.schedule(10, () => fired.push('a'))
    clock.schedule(20, () => fired.push('c'))
    expect(clock.nextTimerAt()).toBe(110)
    expect(clock.advance(15)).toBe(1)
    expect(clock.now()).toBe(115)
    expect(clock.advance(5)).toBe(2)
    expect(fired).toEqual(['a', 'b', 'c'])
    expect(clock.nextTimerAt()).toBeUndefined()
  })

  it('fires timers created by callbacks within the same advance, at their own time', () => {
    const clock = new FakeClock()
    const at: number[] = []
    clock.schedule(10, () => {
      at.push(clock.now())
      clock.schedule(10, () => at.push(clock.now()))
    })
    clock.advance(25)
    expect(at).toEqual([10, 20])
    expect(clock.now()).toBe(25)
  })

  it('cancelled timers never fire; cancelling twice is harmless; negative delays mean now', () => {
    const clock = new FakeClock()
    let fired = 0
    const cancel = clock.schedule(5, () => fired++)
    clock.schedule(-5, () => fired++)
    expect(clock.pendingTimers).toBe(2)
    cancel()
    cancel()
    expect(clock.pendingTimers).toBe(1)
    clock.advance(10)
    expect(fired).toBe(1)
  })

  it('advanceAsync lets promise callbacks run between timers', async () => {
    const clock = new FakeClock()
    const log: string[] = []
    clock.schedule(10, () => {
      log.push('timer 1')
      void Promise.resolve().then(() => {
        log.push('microtask')
        clock.schedule(5, () => log.push('timer 2'))
      })
    })
    expect(await clock.advanceAsync(20)).toBe(2)
    expect(log).toEqual(['timer 1', 'microtask', 'timer 2'])
  })

  it('runAllAsync drains everything and refuses to spin forever', async () => {
    const clock = new FakeClock()
    let n = 0
    clock.schedule(1000, () => n++)
    expect(await clock.runAllAsync()).toBe(1)
    expect(clock.now()).toBe(1000)
    const forever = (): void => void clock.schedule(1, forever)
    forever()
    await expect(clock.runAllAsync(5)).rejects.toThrow(/more than 5 timers/)
  })

  it('flushMicrotasks runs chained promise callbacks', async () => {
    let depth = 0
    void Promise.resolve()
      .then(() => depth++)
      .then(() => depth++)
      .then(() => depth++)
    await flushMicrotasks(5)
    expect(depth).toBe(3)
  })
})
