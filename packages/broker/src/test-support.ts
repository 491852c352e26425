import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { redactSecrets, redactText } from '@offsetkit/commit-core'

/** A topic or group name no other test (or earlier run against the same cluster) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
}

const PROBE_STUCK = Symbol('probe stuck')

/**
 * Polls `probe` until it returns a value other than `undefined`/`false`, or fails after `timeoutMs`
 * with the last value seen. Tests wait for a condition, never for a fixed time. The deadline also
 * bounds a probe that never settles (a request to a frozen broker, say): the wait fails on time
 * instead of hanging with it.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 50, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    let timer: NodeJS.Timeout | undefined
    let outcome: { value: T } | { error: unknown } | typeof PROBE_STUCK
    try {
      const stuck = new Promise<typeof PROBE_STUCK>((resolve) => {
        timer = setTimeout(() => resolve(PROBE_STUCK), Math.max(0, deadline - Date.now()) + intervalMs)
      })
      outcome = await Promise.race([Promise.resolve().then(probe).then((value) => ({ value }), (error: unknown) => ({ error })), stuck])
    } finally {
      clearTimeout(timer)
    }
    if (outcome === PROBE_STUCK) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: the probe itself had not answered by the deadline)`)
    if ('value' in outcome) {
      const value = outcome.value
      if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>
      last = value
    } else {
      last = outcome.error
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? redactText(last.message) : JSON.stringify(redactSecrets(last))
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/**
 * Every place `secret` shows up in an error as a user would see it: `message`, `stack`,
 * `String()`, `JSON.stringify`, `util.inspect(…, { depth: 10 })`, along the whole `cause` chain.
 * Empty when the error keeps the secret to itself.
 */
export function secretLeaks(error: unknown, secret: string): string[] {
  const leaks: string[] = []
  const seen = new Set<unknown>()
  let current: unknown = error
  for (let depth = 0; current !== undefined && current !== null && !seen.has(current) && depth < 20; depth++) {
    seen.add(current)
    const where = depth === 0 ? 'error' : `cause[${depth}]`
    const views: Record<string, () => unknown> = {
      message: () => (current as { message?: unknown }).message,
      stack: () => (current as { stack?: unknown }).stack,
      String: () => String(current),
      JSON: () => JSON.stringify(current),
      inspect: () => inspect(current, { depth: 10 }),
    }
    for (const [name, view] of Object.entries(views)) {
      let text: unknown
      try {
        text = view()
      } catch (thrown) {
        text = `(threw ${String(thrown)})`
      }
      if (typeof text === 'string' && text.includes(secret)) leaks.push(`${where}.${name}`)
    }
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined
  }
  return leaks
}
