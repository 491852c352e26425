/** Cancels a scheduled callback; calling it after the callback ran (or twice) does nothing. */
export type CancelTimer = () => void

/**
 * All time and timers core uses. Injected so that every policy is a pure function of
 * (state, now) and every test runs on a fake clock without sleeping.
 */
export interface Clock {
  /** Milliseconds; only differences are used, so any monotonic-enough origin works. */
  now(): number
  /** Runs `callback` once, `delayMs` from now. */
  schedule(delayMs: number, callback: () => void): CancelTimer
}
