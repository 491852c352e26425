// The fault scenarios, after Apache Kafka's OffsetValidationTest (tests/kafkatest/tests/client/
// consumer_test.py): a producer runs throughout, consumers in one group, faults from outside.
import type { BrokerNode } from '@offsetkit/broker'
import { setTimeout as sleep } from 'node:timers/promises'
import { COORDINATOR_MOVE_GAPS, STATIC_MEMBERSHIP_GAPS, type ClientName, type GroupProtocol } from './consumer-args.js'
import type { ConsumerFleet } from './consumer-fleet.js'
import type { Fault, RunSettings, ScenarioContext } from './run-scenario.js'

export interface Scenario {
  readonly id: string
  /** The scenario family (1–9), for the report. */
  readonly family: number
  readonly summary: string
  readonly nodes: 1 | 3
  readonly partitions: number
  /** Consumers in the group; default: `--consumers`. */
  readonly consumers?: (settings: RunSettings) => number
  readonly staticMembership?: boolean
  readonly backlogPerPartition?: number
  readonly rate?: number
  readonly workMs?: number
  readonly sessionTimeoutMs?: number
  /** Needs a broker nobody used yet (the consumer is the first to look up the coordinator). */
  readonly freshBroker?: boolean
  readonly consumerFirst?: boolean
  /** Every partition with records must process some within this long of the first record processed. */
  readonly progressWindowMs?: number
  /** Part of `--quick`. */
  readonly quick?: boolean
  gap?(client: ClientName, protocol: GroupProtocol): string | undefined
  run(ctx: ScenarioContext): Promise<void>
  /** Extra checks on the consumers' event lines. */
  check?(fleet: ConsumerFleet, faults: readonly Fault[]): string[]
}

const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

function consumerBounce(clean: boolean, mode: 'rolling' | 'all', quick: boolean): Scenario {
  return {
    id: `consumer-bounce-${clean ? 'clean' : 'hard'}-${mode}`,
    family: 1,
    summary: `${mode === 'rolling' ? 'one consumer at a time' : 'every consumer at once'} ${clean ? 'SIGTERM' : 'SIGKILL'}ed and restarted, --bounces rounds`,
    nodes: 1,
    partitions: 6,
    quick,
    async run(ctx) {
      await ctx.startAll()
      await ctx.progress('before the first bounce')
      const stop = (i: number) => (clean ? ctx.fleet.stop(i) : ctx.fleet.kill(i))
      for (let round = 1; round <= ctx.settings.bounces; round++) {
        if (mode === 'rolling') {
          for (const i of all(ctx.consumers)) {
            ctx.fault(`${clean ? 'stop' : 'kill'} c${i}`, !clean, 1)
            await stop(i)
            ctx.fleet.start(i)
            await ctx.members(all(ctx.consumers), `after bouncing consumer ${i}`)
            await ctx.progress(`after bouncing consumer ${i}`)
          }
        } else {
          ctx.fault(`${clean ? 'stop' : 'kill'} all`, !clean, ctx.consumers)
          await Promise.all(all(ctx.consumers).map(stop))
          for (const i of all(ctx.consumers)) ctx.fleet.start(i)
          await ctx.members(all(ctx.consumers), `after bounce ${round}`)
          await ctx.progress(`after bounce ${round}`)
        }
      }
      await ctx.holdRest()
    },
  }
}

function consumerFailure(clean: boolean): Scenario {
  return {
    id: `consumer-failure-${clean ? 'clean' : 'hard'}`,
    family: 2,
    summary: `the owner of partition 0 ${clean ? 'SIGTERM' : 'SIGKILL'}ed for good; the others take over`,
    nodes: 1,
    partitions: 6,
    quick: !clean,
    consumers: (s) => Math.max(2, s.consumers),
    async run(ctx) {
      await ctx.startAll()
      await ctx.progress('before the failure')
      const owner = ctx.fleet.slots.find((s) => s.owned.has(0))
      if (owner === undefined) throw new Error('nobody owns partition 0')
      ctx.fault(`${clean ? 'stop' : 'kill'} c${owner.slot} (owner of p0)`, !clean, 1)
      await (clean ? ctx.fleet.stop(owner.slot) : ctx.fleet.kill(owner.slot))
      const others = all(ctx.consumers).filter((i) => i !== owner.slot)
      await ctx.until('the survivors own every partition', () => new Set(others.flatMap((i) => [...ctx.fleet.slot(i).owned])).size === ctx.partitions)
      await ctx.progress('after the failure')
      await ctx.holdRest()
    },
  }
}

async function nodeById(ctx: ScenarioContext, id: number): Promise<BrokerNode> {
  const node = ctx.broker.nodes.find((n) => n.nodeId === id)
  if (node === undefined) throw new Error(`no broker node ${id} in this cluster`)
  return node
}

const brokerRollingBounce: Scenario = {
  id: 'broker-rolling-bounce',
  family: 3,
  summary: '3 nodes (RF 3, min ISR 2): each broker SIGTERMed and restarted in turn',
  nodes: 3,
  partitions: 6,
  quick: true,
  gap: (client) => COORDINATOR_MOVE_GAPS[client],
  sessionTimeoutMs: 10_000,
  async run(ctx) {
    await ctx.startAll()
    await ctx.progress('before the first broker bounce')
    for (const node of ctx.broker.nodes) {
      ctx.fault(`stop b${node.nodeId}`, false, 0)
      await node.stop()
      await node.start()
      await ctx.replicated()
      await ctx.members(all(ctx.consumers), `after bouncing broker ${node.nodeId}`)
      await ctx.progress(`after bouncing broker ${node.nodeId}`)
    }
    await ctx.holdRest()
  },
}

function brokerFailure(clean: boolean): Scenario {
  return {
    id: `broker-failure-${clean ? 'clean' : 'hard'}`,
    family: 4,
    summary: `3 nodes: the group coordinator's broker ${clean ? 'SIGTERM' : 'SIGKILL'}ed, restarted after the group recovered`,
    nodes: 3,
    partitions: 6,
    quick: !clean,
    // A clean stop moves the coordinator: kafkajs keeps committing to the old one.
    ...(clean && { gap: (client: ClientName) => COORDINATOR_MOVE_GAPS[client] }),
    sessionTimeoutMs: 10_000,
    async run(ctx) {
      await ctx.startAll()
      await ctx.progress('before the broker failure')
      const node = await nodeById(ctx, await ctx.admin.coordinatorNodeId())
      ctx.fault(`${clean ? 'stop' : 'kill'} b${node.nodeId} (coordinator)`, !clean, ctx.consumers)
      // A controlled shutdown moves the coordinator first: no outage, no duplicates expected.
      if (!clean) ctx.outage(`the kill of b${node.nodeId}`)
      await (clean ? node.stop() : node.kill())
      await ctx.progress('with the coordinator down')
      await node.start()
      ctx.fault(`start b${node.nodeId}`, false, 0)
      await ctx.replicated()
      await ctx.members(all(ctx.consumers), 'after the broker came back')
      await ctx.progress('after the broker came back')
      await ctx.holdRest()
    },
  }
}

const brokerRestart: Scenario = {
  id: 'broker-restart',
  family: 4,
  summary: 'single node: SIGTERM, SIGKILL 3 s later, start on the same ports and data',
  nodes: 1,
  partitions: 6,
  async run(ctx) {
    await ctx.startAll()
    await ctx.progress('before the restart')
    const node = ctx.broker.nodes[0]!
    ctx.fault('stop b1 (+3 s kill)', true, ctx.consumers)
    ctx.outage('the restart')
    const stopping = node.stop()
    await Promise.race([stopping, sleep(3000)])
    await node.kill()
    await stopping
    await node.start()
    ctx.fault('start b1', false, 0)
    await ctx.members(all(ctx.consumers), 'after the restart')
    await ctx.progress('after the restart')
    await ctx.holdRest()
  },
}

/** Defect C's shape: a backlog on 3 partitions, one consumer, the only broker restarted clean then hard. */
export const brokerRestartBacklog: Scenario = {
  id: 'broker-restart-backlog',
  family: 4,
  summary: 'single node, 3 partitions × backlog, 1 consumer every:100 work 1 ms: broker restarted clean, then hard, mid-stream',
  nodes: 1,
  partitions: 3,
  consumers: () => 1,
  backlogPerPartition: 1000,
  rate: 30,
  workMs: 1,
  quick: true,
  async run(ctx) {
    await ctx.startAll()
    await ctx.progress('before the clean restart', 200)
    const node = ctx.broker.nodes[0]!
    // The only broker: even a clean stop is an outage for the group.
    ctx.fault('stop b1', false, 0)
    ctx.outage('the clean restart')
    await node.stop()
    await node.start()
    await ctx.progress('after the clean restart', 200)
    ctx.fault('kill b1', true, 1)
    ctx.outage('the hard restart')
    await node.kill()
    await node.start()
    await ctx.progress('after the hard restart', 200)
  },
}

/** kafkajs lost every commit when its runner restarted after "group coordinator not available". */
export const freshBroker: Scenario = {
  id: 'fresh-broker',
  family: 4,
  summary: 'a consumer started on a brand-new broker right after it came up (first coordinator lookup)',
  nodes: 1,
  partitions: 3,
  consumers: () => 1,
  freshBroker: true,
  consumerFirst: true,
  rate: 100,
  async run(ctx) {
    await ctx.startAll()
    await ctx.progress('after the first join', 200)
    // Long enough for commits to be seen while consuming (kafkajs' lost ones stopped after its
    // runner restarted).
    await ctx.hold(Math.max(3000, ctx.settings.durationMs))
    await ctx.progress('still consuming', 200)
  },
}

const brokerFreeze: Scenario = {
  id: 'broker-freeze',
  family: 5,
  summary: 'single node: broker JVM SIGSTOPped for 35 s (past kafkajs\' 30 s request timeout), then SIGCONT',
  nodes: 1,
  partitions: 6,
  quick: true,
  async run(ctx) {
    await ctx.startAll()
    await ctx.progress('before the freeze')
    const node = ctx.broker.nodes[0]!
    ctx.fault('freeze b1', true, ctx.consumers)
    ctx.outage('the freeze')
    node.freeze()
    await ctx.hold(35_000)
    node.thaw()
    ctx.fault('thaw b1', false, 0)
    await ctx.members(all(ctx.consumers), 'after the thaw')
    await ctx.progress('after the thaw')
    await ctx.holdRest()
  },
}

const zombieMember: Scenario = {
  id: 'zombie-member',
  family: 6,
  summary: 'one consumer SIGSTOPped until the others own its partitions (session expired), then SIGCONT',
  nodes: 1,
  partitions: 6,
  quick: true,
  consumers: (s) => Math.max(2, s.consumers),
  async run(ctx) {
    await ctx.startAll()
    await ctx.progress('before the freeze')
    ctx.fault('SIGSTOP c1', true, ctx.consumers)
    ctx.fleet.pause(1)
    const others = all(ctx.consumers).filter((i) => i !== 1)
    await ctx.until('the others own every partition', () => new Set(others.flatMap((i) => [...ctx.fleet.slot(i).owned])).size === ctx.partitions)
    await ctx.progress('while c1 is a zombie')
    ctx.fleet.resume(1)
    ctx.fault('SIGCONT c1', false, 0)
    await ctx.members(all(ctx.consumers), 'after the zombie came back')
    await ctx.progress('after the zombie came back')
    await ctx.holdRest()
  },
}

const groupConsumption: Scenario = {
  id: 'group-consumption',
  family: 7,
  summary: 'consumers started one by one, then stopped (SIGTERM) one by one, under production',
  nodes: 1,
  partitions: 6,
  quick: true,
  async run(ctx) {
    for (const i of all(ctx.consumers)) {
      ctx.fault(`start c${i}`, false, 0)
      ctx.fleet.start(i)
      await ctx.members(all(i + 1), `consumer ${i} joined`)
      await ctx.progress(`with ${i + 1} consumer(s)`)
    }
    for (let i = ctx.consumers - 1; i >= 1; i--) {
      ctx.fault(`stop c${i}`, false, 0)
      await ctx.fleet.stop(i)
      await ctx.until(`consumers 0..${i - 1} own every partition`, () => new Set(all(i).flatMap((s) => [...ctx.fleet.slot(s).owned])).size === ctx.partitions)
      await ctx.progress(`with ${i} consumer(s)`)
    }
    await ctx.holdRest()
  },
}

const staticBounce: Scenario = {
  id: 'static-bounce',
  family: 8,
  summary: 'group.instance.id: consumers 1..n-1 SIGTERMed and restarted in turn; consumer 0 must see no revocation',
  nodes: 1,
  partitions: 6,
  quick: true,
  staticMembership: true,
  // Longer than a restart, so the coordinator waits for the static member instead of rebalancing.
  sessionTimeoutMs: 30_000,
  gap: (client) => STATIC_MEMBERSHIP_GAPS[client],
  async run(ctx) {
    await ctx.startAll()
    await ctx.progress('before the bounces')
    for (let round = 1; round <= ctx.settings.bounces; round++) {
      for (const i of all(ctx.consumers).slice(1)) {
        ctx.fault(`stop c${i}`, false, 0)
        await ctx.fleet.stop(i)
        ctx.fleet.start(i)
        await ctx.members([i], `static consumer ${i} back`)
        await ctx.progress(`after bouncing consumer ${i}`)
      }
    }
    await ctx.holdRest()
  },
  check(fleet, faults) {
    const from = faults[0]?.t ?? 0
    const to = faults.find((f) => f.label === 'final phase')?.t ?? Infinity
    const revoked = fleet.events.filter((e) => e.slot === 0 && (e.event === 'partition.revoked' || e.event === 'partition.lost') && e.t >= from && e.t < to)
    return revoked.length === 0 ? [] : [`static membership: the live consumer 0 had ${revoked.length} partition(s) revoked during the bounces`]
  },
}

export function backlogStarvation(partitions: number): Scenario {
  return {
    id: `backlog-starvation-${partitions}`,
    family: 9,
    summary: `${partitions} partition(s) × 400-record backlog, one consumer with a 5 ms handler: every partition makes progress`,
    nodes: 1,
    partitions,
    consumers: () => 1,
    backlogPerPartition: 400,
    rate: 20,
    workMs: 5,
    quick: partitions === 3,
    // Half the time the backlog takes at 5 ms a record.
    progressWindowMs: Math.max(5000, (partitions * 400 * 5.5) / 2),
    async run(ctx) {
      await ctx.startAll()
      await ctx.progress('draining the backlog', Math.min(200, partitions * 100))
    },
  }
}

export const SCENARIOS: readonly Scenario[] = [
  consumerBounce(true, 'rolling', false),
  consumerBounce(true, 'all', true),
  consumerBounce(false, 'rolling', false),
  consumerBounce(false, 'all', false),
  consumerFailure(true),
  consumerFailure(false),
  brokerRollingBounce,
  brokerFailure(true),
  brokerFailure(false),
  brokerRestart,
  brokerRestartBacklog,
  freshBroker,
  brokerFreeze,
  zombieMember,
  groupConsumption,
  staticBounce,
  ...[1, 3, 4, 12].map(backlogStarvation),
]

export function scenarioById(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id)
}
