import { randomBytes } from 'node:crypto'

/** A topic or group name no other test (or earlier run against the same cluster) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
}

/**
 * Polls `probe` until it returns a value other than `undefined`/`false`, or fails after `timeoutMs`
 * with the last value seen. Tests wait for a condition, never for a fixed time.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 50, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>
      last = value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
