import type { Broker } from '@offsetkit/broker'
import { uniqueName, waitFor } from '@offsetkit/broker'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ClientName, GroupProtocol } from './consumer-args.js'
import { ConsumerFleet } from './consumer-fleet.js'
import { OffsetSampler } from './offset-sampler.js'
import { readRecordFiles } from './record-files.js'
import { renderTimelineSvg } from './render-timeline-svg.js'
import type { Scenario } from './scenarios.js'
import { SteadyProducer } from './steady-producer.js'
import { ValidationAdmin } from './validation-admin.js'
import { CLEAN_REBALANCE_GAPS } from './consumer-args.js'
import { processedUntilCommitsResume, verifyRun, type Verdict } from './verify-run.js'

export interface RunSettings {
  readonly client: ClientName
  readonly protocol: GroupProtocol
  readonly quick: boolean
  /** Least time the producer runs, ms. */
  readonly durationMs: number
  /** Consumers in the group (scenarios that need several). */
  readonly consumers: number
  /** Bounce rounds for the bounce scenarios. */
  readonly bounces: number
  /** Offsets committed every this many records (`every:N`). */
  readonly commitEvery: number
}

export interface Fault {
  /** ms since the run started. */
  readonly t: number
  readonly label: string
  readonly hard: boolean
}

export interface RunResult {
  readonly scenario: string
  readonly client: ClientName
  readonly protocol: GroupProtocol
  readonly status: 'pass' | 'fail' | 'gap'
  readonly reasons: string[]
  readonly lost: number
  readonly duplicates: number
  readonly duplicateBound: number
  readonly duplicateBoundRule: string
  readonly stalls: number
  readonly warnings: number
  readonly regressions: number
  readonly revocations: number
  readonly produced: number
  readonly processed: number
  readonly faults: readonly Fault[]
  readonly wallMs: number
  readonly timeline: string | undefined
}

/** What a scenario's fault script can do. Every wait is for a condition, with a deadline. */
export interface ScenarioContext {
  readonly broker: Broker
  readonly fleet: ConsumerFleet
  readonly admin: ValidationAdmin
  readonly settings: RunSettings
  readonly consumers: number
  readonly partitions: number
  /** Marks a fault on the timeline; `affected` consumers may reprocess up to a commit window each. */
  fault(label: string, hard: boolean, affected: number): void
  /**
   * Marks the start of a broker outage. Records processed from then until the group's commits
   * resume (seen in the sampled committed offsets) may be processed again after a fence: they
   * count towards the duplicate bound.
   */
  outage(label: string): void
  /** Waits until the group processed `records` more (default: about one second of production). */
  progress(what: string, records?: number): Promise<void>
  /** Waits until each of `slots` runs and owns at least one partition. */
  members(slots: readonly number[], what?: string): Promise<void>
  /** Waits until `predicate` holds. */
  until(what: string, predicate: () => boolean, timeoutMs?: number): Promise<void>
  /** Keeps production going for `ms` (a phase of the scenario, not a wait for state). */
  hold(ms: number): Promise<void>
  /** Holds until the producer ran for the run's duration. */
  holdRest(): Promise<void>
  /** Waits until a restarted broker caught up: every replica of the topic and `__consumer_offsets` in sync. */
  replicated(): Promise<void>
  /** Starts consumers 0..n-1 and waits until each owns a partition. */
  startAll(n?: number): Promise<void>
  /** ms since the run started. */
  now(): number
}

const STEP_TIMEOUT_MS = 90_000
const QUICK_STEP_TIMEOUT_MS = 45_000

export async function runScenario(scenario: Scenario, broker: Broker, settings: RunSettings, outDir: string): Promise<RunResult> {
  const started = Date.now()
  const label = `${scenario.id}-${settings.client}-${settings.protocol}`
  const gap = scenario.gap?.(settings.client, settings.protocol)
  const base = {
    scenario: scenario.id, client: settings.client, protocol: settings.protocol, lost: 0, duplicates: 0, duplicateBound: 0,
    duplicateBoundRule: '', stalls: 0, warnings: 0, regressions: 0, revocations: 0, produced: 0, processed: 0, faults: [], timeline: undefined,
  }
  if (gap !== undefined) return { ...base, status: 'gap', reasons: [gap], wallMs: 0 }

  const dir = join(outDir, 'runs', label)
  mkdirSync(dir, { recursive: true })
  const partitions = scenario.partitions
  const consumers = scenario.consumers?.(settings) ?? settings.consumers
  const topic = uniqueName(`v-${scenario.id}`)
  const group = uniqueName(`v-${scenario.id}-group`)
  const admin = new ValidationAdmin(broker.bootstrapServers)
  const t0 = Date.now()
  const fleet = new ConsumerFleet(dir, {
    client: settings.client, protocol: settings.protocol, bootstrap: broker.bootstrapServers, group, topic,
    commitText: `every:${settings.commitEvery}`, workMs: scenario.workMs ?? 1, sessionTimeoutMs: scenario.sessionTimeoutMs ?? 6000,
    staticMembership: scenario.staticMembership ?? false,
  }, t0)
  const rate = scenario.rate ?? 200
  const producer = new SteadyProducer(admin.kafka, topic, partitions, rate)
  const sampler = new OffsetSampler(admin, group, topic, partitions, () => fleet.recordFiles, t0)
  const faults: Fault[] = []
  const reasons: string[] = []
  let hardImpact = 0
  const outages: { label: string; t: number }[] = []
  const window = 2 * settings.commitEvery + partitions

  const stepTimeout = settings.quick ? QUICK_STEP_TIMEOUT_MS : STEP_TIMEOUT_MS
  // A consumer that dies by itself (an unhandled error, a failed import) ends the wait at once.
  const until = async (what: string, predicate: () => boolean, timeoutMs = stepTimeout): Promise<void> => {
    await waitFor(() => fleet.crashed() !== undefined || predicate(), { what, timeoutMs, intervalMs: 100 })
    const crashed = fleet.crashed()
    if (crashed) throw new Error(`consumer ${crashed.exit.slot} exited on its own (${crashed.exit.code ?? crashed.exit.signal}) while waiting for ${what}: ${crashed.tail}`)
  }
  const ctx: ScenarioContext = {
    broker, fleet, admin, settings, consumers, partitions,
    now: () => Date.now() - t0,
    fault(text, hard, affected) {
      faults.push({ t: Date.now() - t0, label: text, hard })
      if (hard) hardImpact += affected
    },
    outage(label) {
      outages.push({ label, t: Date.now() - t0 })
    },
    async progress(what, records = Math.max(20, rate)) {
      const from = sampler.consumed().reduce((a, b) => a + b, 0)
      await until(`${records} more records processed (${what})`, () => sampler.consumed().reduce((a, b) => a + b, 0) >= from + records)
    },
    async members(slots, what = 'the group to settle') {
      await until(`consumers ${slots.join(',')} running with partitions (${what})`, () =>
        slots.every((s) => { const slot = fleet.slot(s); return slot.running && slot.owned.size > 0 }))
    },
    until,
    async replicated() {
      const nodes = broker.nodes.length
      await waitFor(() => admin.fullyReplicated([topic, '__consumer_offsets'], nodes), { what: 'every replica in sync', timeoutMs: stepTimeout, intervalMs: 500 })
    },
    hold: (ms) => sleep(ms),
    async holdRest() {
      const left = settings.durationMs - (Date.now() - producerStarted)
      if (left > 0) await sleep(left)
    },
    async startAll(n = consumers) {
      for (let i = 0; i < n; i++) fleet.start(i)
      await ctx.members(Array.from({ length: n }, (_, i) => i), 'the first join')
      // On a brand-new broker the sampler waits for the consumer's own coordinator lookup.
      if (scenario.consumerFirst && !samplerStarted) startSampler()
    },
  }

  let samplerStarted = false
  const startSampler = (): void => {
    samplerStarted = true
    sampler.start()
  }
  let producerStarted = Date.now()
  let timeline: string | undefined
  try {
    await admin.createTopic(topic, partitions, broker.nodes.length || 1)
    if (scenario.backlogPerPartition) await producer.backlog(scenario.backlogPerPartition)
    // On a brand-new broker the consumer must be the first to look the coordinator up: the
    // sampler's committed-offset reads would create __consumer_offsets before it.
    if (!scenario.consumerFirst) startSampler()
    producer.start()
    producerStarted = Date.now()
    try {
      await scenario.run(ctx)
    } catch (error) {
      reasons.push(`scenario step failed: ${(error as Error).message}`)
    }
    if (!samplerStarted) startSampler()

    // Final phase: stop producing, let the group drain to the log end, close every consumer
    // cleanly, then read the committed offsets back.
    const finalPhase = Date.now() - t0
    faults.push({ t: finalPhase, label: 'final phase', hard: false })
    if (!(await producer.stop())) reasons.push('the producer did not stop within 60 s: a send to the broker hung')
    if (fleet.live.length === 0) fleet.start(0)
    const ends = await waitFor(() => admin.endOffsets(topic, partitions), { what: 'log-end offsets', timeoutMs: 60_000 })
    const covered = (): boolean => {
      const processed = readRecordFiles(fleet.recordFiles, topic)
      return ends.every((end, p) => { const offsets = processed.get(p); for (let o = 0; o < end; o++) if (!offsets?.has(o)) return false; return true })
    }
    await until('every record below the log end processed', covered, settings.quick ? 60_000 : 120_000).catch(() => undefined)
    // Processed is not drained: a member fenced after a fault may have processed records it could
    // no longer commit, and their next owner redoes them from the committed offset. Stopping the
    // group before that left those partitions' committed offsets behind the end, though nothing
    // was wrong but the stop. Drained: every partition's committed offset within one commit
    // window of its end (the rest is committed by the closes).
    const drained = async (): Promise<boolean> => {
      const now = await admin.committed(group, topic, partitions)
      return ends.every((end, p) => end - (now[p] ?? 0) <= settings.commitEvery)
    }
    await waitFor(async () => fleet.crashed() !== undefined || (await drained()), {
      what: 'every committed offset within a commit window of the log end', timeoutMs: settings.quick ? 60_000 : 120_000, intervalMs: 500,
    }).catch(() => undefined)
    // One at a time, as a rolling shutdown does: each leaving member's revoke commit runs while the
    // others are stable. (All at once, a member's close commit can be refused as from an old
    // generation because another member's leave already started a rebalance: redone records, and
    // nobody left to commit them.) And each stop waits until the group has settled: a partition
    // whose committed offset is short of its end is owned by a live member that has processed its
    // last record, and no assignment changed for a second. (A member stopped while a partition was
    // just moving to it closed before redoing what the previous owner could not commit.)
    const settled = async (): Promise<boolean> => {
      const membership = fleet.events.filter((e) => e.event === 'partition.assigned' || e.event === 'partition.revoked' || e.event === 'partition.lost')
      const quietFor = Date.now() - t0 - (membership[membership.length - 1]?.t ?? 0)
      const now = await admin.committed(group, topic, partitions)
      const short = ends.map((end, p) => ((now[p] ?? 0) < end ? p : -1)).filter((p) => p >= 0)
      if (short.length === 0) return true
      if (quietFor < 1_000) return false
      return short.every((p) => {
        const owners = fleet.live.filter((s) => s.owned.has(p))
        if (owners.length !== 1) return false
        const own = readRecordFiles([owners[0]!.recordFile], topic).get(p)
        return own?.has(ends[p]! - 1) === true
      })
    }
    for (const s of [...fleet.live]) {
      await waitFor(async () => fleet.crashed() !== undefined || (await settled()), {
        what: 'the group settled before a member stops', timeoutMs: settings.quick ? 30_000 : 60_000, intervalMs: 500,
      }).catch(() => undefined)
      await fleet.stop(s.slot, settings.quick ? 30_000 : 60_000)
    }
    const committed = await waitFor(() => admin.committed(group, topic, partitions), { what: 'committed offsets', timeoutMs: 60_000 })
    await sampler.stop()
    await sampler.sample()
    const outageRecords = outages.map((o) => ({ ...o, records: processedUntilCommitsResume(sampler.samples, o.t) }))
    // kafkajs (declared): a partition that moves on a clean rebalance is dropped, not committed, so
    // each such loss may redo up to a commit window; every other client must redo nothing.
    const rebalanceGap = CLEAN_REBALANCE_GAPS[settings.client]
    const lostOnRebalance = rebalanceGap === undefined ? 0 : fleet.events.filter((e) => e.event === 'partition.lost').length
    const duplicateBound = (hardImpact + lostOnRebalance) * window + outageRecords.reduce((a, o) => a + o.records, 0)
    const firstProgress = sampler.samples.find((s) => s.consumed.some((c) => c > 0))?.t
    const verdict: Verdict = verifyRun({
      partitions, ends, committed,
      processed: readRecordFiles(fleet.recordFiles, topic),
      samples: sampler.samples,
      exits: fleet.exits,
      events: fleet.events,
      duplicateBound,
      acked: producer.acked,
      liveCommitsBy: finalPhase,
      // A partition that processed fewer than two commit windows may not have reached a commit yet.
      liveCommitsMinRecords: 2 * settings.commitEvery,
      ...(scenario.progressWindowMs === undefined ? {} : { progressBy: (firstProgress ?? 0) + scenario.progressWindowMs }),
    })
    reasons.push(...verdict.reasons, ...(scenario.check?.(fleet, faults) ?? []))
    timeline = `${label}.svg`
    writeFileSync(join(outDir, timeline), renderTimelineSvg({ title: label, samples: sampler.samples, faults, ok: reasons.length === 0 }))
    return {
      ...base,
      status: reasons.length === 0 ? 'pass' : 'fail',
      reasons,
      lost: verdict.lost,
      duplicates: verdict.duplicates,
      duplicateBound,
      duplicateBoundRule: [
        hardImpact === 0 ? 'no hard fault: 0' : `${hardImpact} consumer(s) hit by hard faults × (2 × every:${settings.commitEvery} + ${partitions} partitions)`,
        ...(lostOnRebalance === 0 ? [] : [`${lostOnRebalance} partition(s) dropped on a rebalance × (2 × every:${settings.commitEvery} + ${partitions}) (declared: ${rebalanceGap})`]),
        ...outageRecords.map((o) => `${o.records} processed from ${o.label} until commits resumed`),
      ].join(' + '),
      stalls: verdict.stalls,
      warnings: verdict.warnings,
      regressions: verdict.regressions,
      revocations: verdict.revocations,
      produced: verdict.produced,
      processed: verdict.processedLines,
      faults,
      wallMs: Date.now() - started,
      timeline,
    }
  } catch (error) {
    return { ...base, status: 'fail', reasons: [...reasons, `run aborted: ${(error as Error).message}`], faults, wallMs: Date.now() - started }
  } finally {
    await fleet.killAll()
    await sampler.stop()
    await producer.close()
    // Leave the cluster as the next run expects it: every node up and running.
    for (const node of broker.nodes) {
      node.thaw()
      if (!node.running) await node.start().catch(() => undefined)
    }
    if (broker.nodes.length > 1) {
      await waitFor(() => admin.fullyReplicated(['__consumer_offsets'], broker.nodes.length), { what: 'the cluster back in sync', timeoutMs: 90_000, intervalMs: 500 }).catch(() => undefined)
    }
    await admin.deleteTopic(topic).catch(() => undefined)
    await admin.close()
    writeFileSync(join(dir, 'events.json'), JSON.stringify({ faults, events: fleet.events, exits: fleet.exits, samples: sampler.samples }))
  }
}
