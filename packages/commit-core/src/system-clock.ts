import type { Clock } from './clock.js'

// The single place where commit-core touches platform time. Everything else receives a Clock.
/* eslint-disable no-restricted-globals, no-restricted-properties -- the one sanctioned platform clock */
/** The real {@link Clock}: `Date.now()` and `setTimeout`. The default when no clock is injected. */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(delayMs, callback) {
    const handle = setTimeout(callback, delayMs)
    return () => clearTimeout(handle)
  },
}
/* eslint-enable no-restricted-globals, no-restricted-properties */
