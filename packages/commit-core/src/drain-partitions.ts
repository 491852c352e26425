import type { CancelTimer, Clock } from './clock.js'
import { EngineError, type EngineErrorCode } from './engine-error.js'
import type { PartitionState } from './partition-state.js'

/**
 * Waits until no handler of these partitions runs; resolves `true` when the timeout expired
 * first. Then their signals are aborted (with `code`) and the wait ends: a revoke must not
 * outlive the rebalance timeout. Handlers get the whole grace period before the signal fires,
 * so well-behaved ones finish.
 */
export function drainPartitions<N>(states: readonly PartitionState<N>[], clock: Clock, timeoutMs: number, code: EngineErrorCode): Promise<boolean> {
  const busy = (): boolean => states.some((s) => s.running > 0)
  if (!busy()) return Promise.resolve(false)
  return new Promise((resolve) => {
    let cancel: CancelTimer | undefined
    const end = (timedOut: boolean): void => {
      for (const s of states) s.drained = undefined
      cancel?.()
      resolve(timedOut)
    }
    const check = (): void => {
      if (!busy()) end(false)
    }
    for (const s of states) s.drained = check
    cancel = clock.schedule(timeoutMs, () => {
      cancel = undefined
      for (const s of states) {
        if (s.running > 0) s.controller.abort(new EngineError(code, `${s.topic}[${s.partition}]: drain timed out after ${timeoutMs} ms`))
      }
      end(true)
    })
  })
}
