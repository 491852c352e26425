import { allArms, type Arm } from './bench-plan.js'
import { UsageError } from './usage-error.js'

/** Names for several arms at once in `--arms`; none of them is an arm id. */
export const ARM_GROUPS: Readonly<Record<string, (arm: Arm) => boolean>> = {
  tx: (arm) => arm.transactional,
  batch: (arm) => arm.batch === true,
  raw: (arm) => arm.kind === 'raw' && arm.variant === undefined,
  ceiling: (arm) => arm.variant !== undefined,
  io: (arm) => arm.workMs > 0,
}

/**
 * `--arms java,none,every:1000,tx` → those arms, in display order. Arm ids may themselves hold a
 * comma (`every:1000,interval:1000`), so the list is read greedily: at each place the longest run
 * of comma-joined parts that names an arm or a group wins.
 */
export function selectArms(text: string, all: readonly Arm[] = allArms()): Arm[] {
  const ids = new Set(all.map((a) => a.id))
  const accepted = `a comma-separated list of arm ids (${[...ids].join(', ')}) or groups (${Object.keys(ARM_GROUPS).join(', ')})`
  const parts = text.split(',').map((part) => part.trim())
  const chosen = new Set<string>()
  for (let i = 0; i < parts.length;) {
    let taken = 0
    for (let n = parts.length - i; n >= 1 && taken === 0; n--) {
      const name = parts.slice(i, i + n).join(',')
      const group = Object.hasOwn(ARM_GROUPS, name) ? ARM_GROUPS[name] : undefined
      if (ids.has(name)) chosen.add(name)
      else if (group !== undefined) for (const a of all.filter(group)) chosen.add(a.id)
      else continue
      taken = n
    }
    if (taken === 0) throw UsageError.invalid('--arms', parts[i], accepted)
    i += taken
  }
  return all.filter((a) => chosen.has(a.id))
}
