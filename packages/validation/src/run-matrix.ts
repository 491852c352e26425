import { startBroker, type Broker } from '@offsetkit/broker'
import { PROTOCOL_GAPS } from './consumer-args.js'
import { checkConsumerProgram } from './consumer-fleet.js'
import type { ValidateCommand } from './parse-validate-args.js'
import { runScenario, type RunResult, type RunSettings } from './run-scenario.js'
import { scenarioById, type Scenario } from './scenarios.js'

export interface MatrixCell {
  readonly scenario: Scenario
  readonly client: RunSettings['client']
  readonly protocol: RunSettings['protocol']
}

/** Cells grouped by the cluster they need, so that each cluster size is started once. */
export function planMatrix(command: ValidateCommand): MatrixCell[] {
  const cells: MatrixCell[] = []
  for (const id of command.scenarios) {
    const scenario = scenarioById(id)!
    for (const client of command.clients) for (const protocol of command.protocols) cells.push({ scenario, client, protocol })
  }
  return cells
}

function nodesFor(scenario: Scenario, command: ValidateCommand): 1 | 3 {
  return scenario.nodes === 3 ? 3 : (command.brokers ?? 1)
}

/**
 * Runs every cell, one at a time (the machine is small and others share it). One broker per
 * cluster size, reused across runs (each run has its own topic and group, and leaves every node
 * running); a scenario that needs a brand-new broker gets its own.
 */
export async function runMatrix(command: ValidateCommand, out: string, log: (line: string) => void): Promise<{ runs: RunResult[]; broker: string }> {
  const runs: RunResult[] = []
  const brokers = new Map<number, Broker>()
  let version = ''
  const cells = planMatrix(command).sort((a, b) => nodesFor(a.scenario, command) - nodesFor(b.scenario, command))
  const settingsFor = (cell: MatrixCell): RunSettings => ({
    client: cell.client, protocol: cell.protocol, quick: command.quick, durationMs: command.durationMs,
    consumers: command.consumers, bounces: command.quick ? 1 : 5, commitEvery: 100,
  })
  await checkConsumerProgram()
  try {
    for (const [index, cell] of cells.entries()) {
      const name = `${cell.scenario.id} × ${cell.client} × ${cell.protocol}`
      const gap = PROTOCOL_GAPS[cell.client]?.[cell.protocol]
        ?? (cell.scenario.nodes === 3 && command.brokers === 1 ? 'needs a 3-node cluster (--brokers 1 was given)' : undefined)
      let result: RunResult
      if (gap !== undefined) {
        result = { scenario: cell.scenario.id, client: cell.client, protocol: cell.protocol, status: 'gap', reasons: [gap], lost: 0, duplicates: 0, duplicateBound: 0, duplicateBoundRule: '', stalls: 0, warnings: 0, regressions: 0, revocations: 0, produced: 0, processed: 0, faults: [], wallMs: 0, timeline: undefined }
      } else {
        const nodes = nodesFor(cell.scenario, command)
        let broker: Broker
        if (cell.scenario.freshBroker) {
          broker = await startBroker({ mode: 'local', nodes })
        } else {
          let shared = brokers.get(nodes)
          if (shared === undefined) {
            // The previous size is done with: free its memory and CPU first.
            for (const [n, other] of brokers) { await other.stop(); brokers.delete(n) }
            log(`starting a ${nodes}-node broker`)
            shared = await startBroker({ mode: 'local', nodes })
            brokers.set(nodes, shared)
          }
          broker = shared
        }
        version = broker.version ?? version
        log(`[${index + 1}/${cells.length}] ${name} …`)
        try {
          result = await runScenario(cell.scenario, broker, settingsFor(cell), out)
        } finally {
          if (cell.scenario.freshBroker) await broker.stop()
        }
      }
      runs.push(result)
      log(`[${index + 1}/${cells.length}] ${name}: ${result.status === 'pass' ? 'pass' : result.status === 'gap' ? 'declared gap' : 'FAIL'}` +
        `${result.status === 'gap' ? '' : ` (lost ${result.lost}, duplicates ${result.duplicates}/${result.duplicateBound}, regressions ${result.regressions}, stalls ${result.stalls}, ${(result.wallMs / 1000).toFixed(0)} s)`}` +
        `${result.status === 'pass' ? '' : `: ${result.reasons.join('; ')}`}`)
    }
  } finally {
    await Promise.all([...brokers.values()].map((b) => b.stop()))
  }
  return { runs, broker: `Apache Kafka ${version || '?'} (local KRaft)` }
}
