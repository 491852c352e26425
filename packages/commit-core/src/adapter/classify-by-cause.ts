import type { CommitErrorClass } from '../client-port.js'

/**
 * Classifies an error by the first link of its `cause` chain (depth-bounded, cycle-safe) that
 * `classify` recognises; `fatal` when none does: anything unexpected must surface.
 */
export function classifyByCause(error: unknown, classify: (link: object) => CommitErrorClass | undefined, maxDepth = 5): CommitErrorClass {
  const seen = new Set<unknown>()
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < maxDepth && !seen.has(e); e = (e as { cause?: unknown }).cause, depth++) {
    seen.add(e)
    const found = classify(e)
    if (found !== undefined) return found
  }
  return 'fatal'
}
