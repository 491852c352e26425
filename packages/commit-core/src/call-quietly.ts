import type { Logger } from './logger.js'

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/** Calls a port method whose failure must not break the engine path: logged, never thrown. */
export function callQuietly(logger: Logger, name: string, call: () => unknown): void {
  const report = (error: unknown): void => logger.error(`port.${name} failed`, { error: String(error) })
  try {
    const result = call()
    if (isThenable(result)) result.then(undefined, report)
  } catch (error) {
    report(error)
  }
}
