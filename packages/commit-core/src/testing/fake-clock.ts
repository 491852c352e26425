import type { CancelTimer, Clock } from '../clock.js'

interface Timer {
  readonly at: number
  readonly seq: number
  readonly callback: () => void
  cancelled: boolean
}

/**
 * A Clock that only moves when told to. Timers fire in (time, creation) order; timers created by
 * a firing callback fire in the same advance when they fall due within it.
 */
export class FakeClock implements Clock {
  private time: number
  private seq = 0
  private timers: Timer[] = []

  constructor(startMs = 0) {
    this.time = startMs
  }

  now(): number {
    return this.time
  }

  schedule(delayMs: number, callback: () => void): CancelTimer {
    const timer: Timer = { at: this.time + Math.max(0, delayMs), seq: this.seq++, callback, cancelled: false }
    this.timers.push(timer)
    return () => {
      timer.cancelled = true
    }
  }

  /** Timers not yet fired nor cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length
  }

  /** When the next live timer fires, if any. */
  nextTimerAt(): number | undefined {
    return this.next()?.at
  }

  /** Moves time forward, firing due timers synchronously. Returns how many fired. */
  advance(ms: number): number {
    const until = this.time + ms
    let fired = 0
    for (let timer = this.next(); timer !== undefined && timer.at <= until; timer = this.next()) {
      this.fire(timer)
      fired++
    }
    this.time = until
    return fired
  }

  /**
   * Like `advance`, but lets promise callbacks run before and after every timer, the way the
   * event loop would. Use it whenever the code under test awaits.
   */
  async advanceAsync(ms: number): Promise<number> {
    const until = this.time + ms
    let fired = 0
    await flushMicrotasks()
    for (let timer = this.next(); timer !== undefined && timer.at <= until; timer = this.next()) {
      this.fire(timer)
      fired++
      await flushMicrotasks()
    }
    this.time = until
    return fired
  }

  /** Fires timers (with microtasks in between) until none is left; throws after `limit`. */
  async runAllAsync(limit = 10_000): Promise<number> {
    let fired = 0
    await flushMicrotasks()
    for (let timer = this.next(); timer !== undefined; timer = this.next()) {
      if (fired >= limit) throw new Error(`FakeClock.runAllAsync: more than ${limit} timers; is something rescheduling forever?`)
      this.fire(timer)
      fired++
      await flushMicrotasks()
    }
    return fired
  }

  private next(): Timer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled)
    let best: Timer | undefined
    for (const t of this.timers) if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t
    return best
  }

  private fire(timer: Timer): void {
    timer.cancelled = true
    if (timer.at > this.time) this.time = timer.at
    timer.callback()
  }
}

/** Lets pending promise callbacks (and the ones they schedule) run, without any real timer. */
export async function flushMicrotasks(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve()
}
