import type { Parameters } from 'fast-check'

/**
 * fast-check parameters with a printed seed. Replay a failure with FC_SEED=<seed> (and FC_PATH
 * from the counterexample report to jump straight to the shrunk case); scale with FC_RUNS.
 */
export function fcParams<T>(name: string, defaultRuns: number): Parameters<T> {
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31)
  const numRuns = process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : defaultRuns
  console.log(`[fast-check] ${name}: seed=${seed} runs=${numRuns} (replay: FC_SEED=${seed})`)
  const params: Parameters<T> = { seed, numRuns }
  if (process.env.FC_PATH !== undefined) params.path = process.env.FC_PATH
  return params
}
