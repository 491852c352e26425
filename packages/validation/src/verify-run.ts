// The verdict of one run, from evidence gathered OUTSIDE offsetkit: the record files the consumer
// processes wrote, the log-end and committed offsets read back from the broker, the processes'
// exit statuses, and the warning lines they printed. Pure: unit tests feed it synthetic evidence.
import type { Processed } from './record-files.js'

/** One reading of the broker, about once a second. `undefined` where the read failed. */
export interface OffsetSample {
  /** ms since the run started. */
  readonly t: number
  readonly ends: readonly number[] | undefined
  /** Committed offset per partition; `undefined` entries: nothing committed (yet). */
  readonly committed: readonly (number | undefined)[] | undefined
  /** Records processed so far per partition (record-file lines, duplicates included). */
  readonly consumed: readonly number[]
}

export interface ConsumerExit {
  readonly slot: number
  readonly pid: number
  readonly code: number | null
  readonly signal: string | null
  /** What the runner did to it: `term` (SIGTERM, must exit 0), `kill` (SIGKILL), or nothing. */
  readonly sent: 'term' | 'kill' | undefined
}

export interface ConsumerEventLine {
  readonly slot: number
  readonly event: string
  readonly t: number
  readonly [field: string]: unknown
}

export interface RunEvidence {
  readonly partitions: number
  /** Log-end offsets once production stopped (every record below must be processed). */
  readonly ends: readonly number[]
  /** Committed offsets read back after every consumer closed. */
  readonly committed: readonly (number | undefined)[]
  readonly processed: Processed
  readonly samples: readonly OffsetSample[]
  readonly exits: readonly ConsumerExit[]
  readonly events: readonly ConsumerEventLine[]
  /** Most duplicates allowed: 0 when every fault was clean. */
  readonly duplicateBound: number
  /** Producer acknowledgements: highest acked offset + 1 per partition (acked records must be in the log). */
  readonly acked?: readonly number[]
  /**
   * When set, every partition processing records 5 s before this t (the final phase) must show a
   * committed offset above 0 in some sample taken before it: commits happen while consuming, not
   * only at close.
   */
  readonly liveCommitsBy?: number
  /** …counting only partitions that processed at least this many records by then (default 1). */
  readonly liveCommitsMinRecords?: number
  /** When set, every partition with records must show processed records in some sample at or before this t. */
  readonly progressBy?: number
}

export interface Verdict {
  readonly ok: boolean
  readonly reasons: string[]
  readonly lost: number
  readonly duplicates: number
  readonly regressions: number
  readonly stalls: number
  readonly warnings: number
  readonly revocations: number
  readonly produced: number
  readonly processedLines: number
}

const STALLS = new Set(['commit.stalled', 'partition.starved', 'group.partition.stalled'])
const WARNINGS = new Set(['commit.failed', 'consumer.stopped', 'partition.stopped', 'client.failed', 'fatal'])

function ranges(offsets: readonly number[]): string {
  const parts: string[] = []
  for (let i = 0; i < offsets.length && parts.length < 4; ) {
    let j = i
    while (j + 1 < offsets.length && offsets[j + 1] === offsets[j]! + 1) j++
    parts.push(i === j ? `${offsets[i]}` : `${offsets[i]}-${offsets[j]}`)
    i = j + 1
  }
  return parts.join(',') + (parts.length === 4 ? ',…' : '')
}

const total = (values: readonly (number | undefined)[]): number => values.reduce<number>((a, b) => a + (b ?? 0), 0)

/**
 * Records the group processed during a broker outage that began at `start`: from the last sample
 * before it until the first sample in which a committed offset moved again. Those could not be
 * committed, and come back after a fence, so they count towards the duplicate bound.
 */
export function processedUntilCommitsResume(samples: readonly OffsetSample[], start: number): number {
  const before = samples.filter((s) => s.t <= start && s.committed !== undefined).at(-1)
  const committedAt = before?.committed ?? []
  const consumedAt = total(before?.consumed ?? [])
  const resumed = samples.find((s) => s.t > start && s.committed !== undefined && s.committed.some((c, p) => (c ?? 0) > (committedAt[p] ?? 0)))
  const until = resumed ?? samples.at(-1)
  return Math.max(0, total(until?.consumed ?? []) - consumedAt)
}

export function verifyRun(evidence: RunEvidence): Verdict {
  const reasons: string[] = []
  let lost = 0
  let duplicates = 0
  let processedLines = 0
  for (let partition = 0; partition < evidence.partitions; partition++) {
    const end = evidence.ends[partition] ?? 0
    const offsets = evidence.processed.get(partition) ?? new Map<number, number>()
    const missing: number[] = []
    for (let offset = 0; offset < end; offset++) if (!offsets.has(offset)) missing.push(offset)
    if (missing.length > 0) reasons.push(`lost ${missing.length} of partition ${partition} (offsets ${ranges(missing)})`)
    lost += missing.length
    for (const times of offsets.values()) {
      processedLines += times
      duplicates += times - 1
    }
    const committed = evidence.committed[partition]
    if (committed !== end && !(end === 0 && committed === undefined)) reasons.push(`partition ${partition}: committed ${committed ?? 'nothing'} after close, log end ${end}`)
    const acked = evidence.acked?.[partition]
    if (acked !== undefined && acked > end) reasons.push(`partition ${partition}: the producer had ${acked} acked, the log ends at ${end}`)
  }
  if (duplicates > evidence.duplicateBound) reasons.push(`${duplicates} duplicates > bound ${evidence.duplicateBound}`)

  // Committed offsets never go backwards, across every sample and the final read.
  let regressions = 0
  const highest: (number | undefined)[] = []
  const readings = [...evidence.samples.map((s) => ({ t: s.t, committed: s.committed })), { t: Infinity, committed: evidence.committed }]
  for (const { t, committed } of readings) {
    if (committed === undefined) continue
    committed.forEach((offset, partition) => {
      const before = highest[partition]
      if (offset === undefined) return
      if (before !== undefined && offset < before) {
        regressions++
        if (regressions <= 3) reasons.push(`partition ${partition}: committed offset went back from ${before} to ${offset}${t === Infinity ? ' at the final read' : ` at ${(t / 1000).toFixed(1)} s`}`)
        return
      }
      highest[partition] = offset
    })
  }
  if (regressions > 3) reasons.push(`${regressions} committed-offset regressions in all`)

  for (const exit of evidence.exits) {
    if (exit.sent === 'kill') continue
    if (exit.sent === 'term' && exit.code === 0) continue
    reasons.push(exit.sent === 'term'
      ? `consumer ${exit.slot} (pid ${exit.pid}) exited ${exit.code ?? exit.signal} after SIGTERM, not 0`
      : `consumer ${exit.slot} (pid ${exit.pid}) exited on its own (${exit.code ?? exit.signal})`)
  }
  for (const fatal of evidence.events.filter((e) => e.event === 'fatal')) {
    reasons.push(`consumer ${fatal.slot}: unhandled error (${String(fatal.kind)}: ${String(fatal.error)})`)
  }

  if (evidence.liveCommitsBy !== undefined) {
    const before = evidence.samples.filter((s) => s.t < evidence.liveCommitsBy!)
    const never: number[] = []
    // Only partitions that were processing at least 5 s before the final phase: time enough for a commit.
    const early = evidence.samples.filter((s) => s.t <= evidence.liveCommitsBy! - 5000).at(-1)
    for (let partition = 0; partition < evidence.partitions; partition++) {
      if ((early?.consumed[partition] ?? 0) >= Math.max(1, evidence.liveCommitsMinRecords ?? 1) && !before.some((s) => (s.committed?.[partition] ?? 0) > 0)) never.push(partition)
    }
    if (never.length > 0 && before.length > 0) {
      reasons.push(`partition${never.length > 1 ? 's' : ''} ${never.join(',')}: nothing committed while consuming (${before.length} samples before the final close)`)
    }
  }

  if (evidence.progressBy !== undefined) {
    const by = evidence.samples.filter((s) => s.t <= evidence.progressBy!).at(-1)
    const starved: number[] = []
    for (let partition = 0; partition < evidence.partitions; partition++) {
      if ((evidence.ends[partition] ?? 0) > 0 && (by?.consumed[partition] ?? 0) === 0) starved.push(partition)
    }
    if (starved.length > 0) {
      reasons.push(`partition${starved.length > 1 ? 's' : ''} ${starved.join(',')} processed nothing in the first ${(evidence.progressBy / 1000).toFixed(0)} s (others: ${by?.consumed.reduce((a, b) => a + b, 0) ?? 0} records)`)
    }
  }

  const produced = evidence.ends.reduce((a, b) => a + b, 0)
  return {
    ok: reasons.length === 0,
    reasons,
    lost,
    duplicates,
    regressions,
    stalls: evidence.events.filter((e) => STALLS.has(e.event)).length,
    warnings: evidence.events.filter((e) => WARNINGS.has(e.event)).length,
    revocations: evidence.events.filter((e) => e.event === 'partition.revoked' || e.event === 'partition.lost').length,
    produced,
    processedLines,
  }
}
