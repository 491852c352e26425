import type { CommitPolicyOption } from '@offsetkit/commit-core'
import { UsageError } from './usage-error.js'

export const POLICY_ACCEPTED = 'per-message, per-message-async, every:N, interval:MS, every:N,interval:MS, auto, none (N, MS positive integers)'

const SHORTHANDS = ['per-message', 'per-message-async', 'auto', 'none'] as const

function positive(flag: string, text: string, whole: string): number {
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text))) throw UsageError.invalid(flag, whole, POLICY_ACCEPTED)
  return Number(text)
}

/** `every:N,interval:MS` and friends → the core's commit option. */
export function parseCommitPolicy(text: string, flag = '--commit'): CommitPolicyOption {
  if ((SHORTHANDS as readonly string[]).includes(text)) return text as (typeof SHORTHANDS)[number]
  let every: number | undefined
  let interval: number | undefined
  const parts = text.split(',')
  if (parts.length > 2) throw UsageError.invalid(flag, text, POLICY_ACCEPTED)
  for (const part of parts) {
    const [name, value, extra] = part.split(':')
    if (value === undefined || extra !== undefined) throw UsageError.invalid(flag, text, POLICY_ACCEPTED)
    if (name === 'every' && every === undefined) every = positive(flag, value, text)
    else if (name === 'interval' && interval === undefined) interval = positive(flag, value, text)
    else throw UsageError.invalid(flag, text, POLICY_ACCEPTED)
  }
  return { ...(every === undefined ? {} : { every }), ...(interval === undefined ? {} : { interval }) }
}

/** The inverse, for labels: the same text the flag takes. */
export function formatCommitPolicy(policy: CommitPolicyOption): string {
  if (typeof policy === 'string') return policy
  if (typeof policy === 'function' || 'decide' in policy) return 'custom'
  return [policy.every === undefined ? '' : `every:${policy.every}`, policy.interval === undefined ? '' : `interval:${policy.interval}`]
    .filter((s) => s !== '')
    .join(',')
}
