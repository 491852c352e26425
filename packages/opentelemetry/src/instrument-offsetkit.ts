import { metrics, type Attributes, type BatchObservableCallback, type MeterProvider, type Observable } from '@opentelemetry/api'
import {
  ConfigError,
  topicPartitionKey,
  type CommitEngineEvents,
  type CommitEngineStats,
  type CommitRequest,
  type ConsumerHealth,
  type EngineHealth,
  type Listener,
  type StalledPartition,
} from '@offsetkit/commit-core'
import { OFFSETKIT_ATTRIBUTES as A, OFFSETKIT_METRICS as M } from './offsetkit-metric-names.js'

/** The meter name used when `meterName` is not given: the instrumentation library's name. */
export const DEFAULT_METER_NAME = '@offsetkit/opentelemetry'

/**
 * What can be instrumented: an `OffsetkitConsumer` from any adapter, or a bare `CommitEngine`.
 * Only its events, `stats()` and `health()` are read.
 */
export interface OffsetkitMetricsSource<N = unknown> {
  on<K extends keyof CommitEngineEvents<N>>(event: K, listener: Listener<CommitEngineEvents<N>[K]>): () => void
  stats(): CommitEngineStats
  health(): EngineHealth | ConsumerHealth
}

/** Options of {@link instrumentOffsetkit}. */
export interface InstrumentOffsetkitOptions {
  /** Where the meter comes from. Default: the global one (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider
  /** The meter's (instrumentation scope's) name. Default {@link DEFAULT_METER_NAME}. */
  readonly meterName?: string
  /**
   * Added to every point, e.g. `{ 'messaging.consumer.group.name': 'orders' }`. Give each
   * consumer instrumented into the same meter something that tells them apart.
   */
  readonly attributes?: Attributes
}

/** What {@link instrumentOffsetkit} returns. */
export interface OffsetkitInstrumentation {
  /**
   * Stops recording: removes the event listeners and the gauges' callback. Idempotent. The
   * instruments stay in the meter (OpenTelemetry cannot delete them), with nothing reported.
   */
  close(): void
}

const STALL_REASONS: readonly StalledPartition['reason'][] = ['commits-failing', 'fenced', 'commit-hung']
const HEALTH_STATUSES: readonly ConsumerHealth['status'][] = ['idle', 'ok', 'degraded', 'failed', 'closed']
// Commit round trips are milliseconds on a healthy cluster and seconds on a sick one.
const COMMIT_DURATION_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000]

/**
 * Turns an offsetkit consumer's (or a bare `CommitEngine`'s) events and gauges into OpenTelemetry
 * metrics, through `@opentelemetry/api` only. Counters and the commit histogram record as events
 * happen; the gauges read `stats()` and `health()` once per collection. Call it before `run()` to
 * miss nothing: a consumer keeps listeners registered before it runs.
 *
 * @example
 * ```ts
 * const consumer = offsetkitKafkajs(kafka.consumer({ groupId: 'orders' }))
 * const instrumentation = instrumentOffsetkit(consumer, { attributes: { 'messaging.consumer.group.name': 'orders' } })
 * await consumer.run({ topics: ['orders'], handler })
 * // ...
 * await consumer.close()
 * instrumentation.close()
 * ```
 */
export function instrumentOffsetkit<N>(source: OffsetkitMetricsSource<N>, options: InstrumentOffsetkitOptions = {}): OffsetkitInstrumentation {
  checkSource(source)
  checkOptions(options)
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(options.meterName ?? DEFAULT_METER_NAME)
  const base: Attributes = { ...options.attributes }
  const withBase = (attributes: Attributes): Attributes => ({ ...base, ...attributes })
  const partitionAttributes = (topic: string, partition: number): Attributes => withBase({ [A.topic]: topic, [A.partition]: String(partition) })
  const commitAttributes = (request: CommitRequest): Attributes => ({ [A.commitReason]: request.reason, [A.commitSync]: request.sync })

  const commitDuration = meter.createHistogram(M.commitDuration, {
    description: 'Duration of each commit attempt the broker acknowledged (from sending it to its reply).',
    unit: 'ms',
    advice: { explicitBucketBoundaries: COMMIT_DURATION_BUCKETS_MS },
  })
  const commits = meter.createCounter(M.commits, { description: 'Commit attempts, by outcome.', unit: '{commit}' })
  const recordsFailed = meter.createCounter(M.recordsFailed, { description: 'Failed handler attempts, by the action that followed.', unit: '{record}' })
  const recordsDeadLettered = meter.createCounter(M.recordsDeadLettered, { description: 'Records sent to the dead-letter topic.', unit: '{record}' })
  const recordsSkipped = meter.createCounter(M.recordsSkipped, { description: 'Records skipped by the failure policy.', unit: '{record}' })
  const recordsDropped = meter.createCounter(M.recordsDropped, { description: 'Delivered records not tracked (duplicates, unowned partitions).', unit: '{record}' })
  const clientFailures = meter.createCounter(M.clientFailures, { description: 'Times the Kafka client itself failed.', unit: '{failure}' })

  const lag = meter.createObservableUpDownCounter(M.partitionLag, { description: 'Log end offset minus committed offset, per partition.', unit: '{offset}' })
  const committedOffset = meter.createObservableGauge(M.partitionCommittedOffset, { description: 'Committed offset (the next offset to read), per partition.', unit: '{offset}' })
  const endOffset = meter.createObservableGauge(M.partitionEndOffset, { description: 'Log end offset as the client last reported it, per partition.', unit: '{offset}' })
  const inFlight = meter.createObservableUpDownCounter(M.recordsInFlight, { description: 'Records seen and not done (queued, running, retrying, awaiting an ack), per partition.', unit: '{record}' })
  const oldestAge = meter.createObservableGauge(M.recordsOldestInFlightAge, { description: 'Age of the oldest record in flight, per partition; 0 when none is.', unit: 'ms' })
  const commitAge = meter.createObservableGauge(M.commitAge, { description: 'Time since the broker last acknowledged a commit.', unit: 'ms' })
  const owned = meter.createObservableUpDownCounter(M.partitionsOwned, { description: 'Partitions owned.', unit: '{partition}' })
  const stalled = meter.createObservableUpDownCounter(M.partitionsStalled, { description: 'Owned partitions whose committed offset cannot advance, by reason.', unit: '{partition}' })
  const starved = meter.createObservableUpDownCounter(M.partitionsStarved, { description: 'Owned partitions with records to read that deliver none.', unit: '{partition}' })
  const groupStalled = meter.createObservableUpDownCounter(M.partitionsGroupStalled, { description: 'Partitions of the group not owned here, with records to read, whose committed offset does not move.', unit: '{partition}' })
  const stopped = meter.createObservableUpDownCounter(M.partitionsStopped, { description: 'Partitions stopped by the failure policy.', unit: '{partition}' })
  const status = meter.createObservableUpDownCounter(M.consumerStatus, { description: '1 for the current health status, 0 for the others.', unit: '1' })
  const observables: Observable[] = [lag, committedOffset, endOffset, inFlight, oldestAge, commitAge, owned, stalled, starved, groupStalled, stopped, status]

  // Partitions reported by the last collection, and whether they had a lag point then.
  let reported = new Map<string, { readonly attributes: Attributes; readonly lag: boolean }>()
  const observe: BatchObservableCallback = (result) => {
    const now = new Map<string, { readonly attributes: Attributes; readonly lag: boolean }>()
    for (const p of source.stats().partitions) {
      const attributes = partitionAttributes(p.topic, p.partition)
      result.observe(inFlight, p.inFlight, attributes)
      result.observe(oldestAge, p.oldestInFlightAgeMs ?? 0, attributes)
      if (p.lastCommitted !== undefined) result.observe(committedOffset, Number(p.lastCommitted), attributes)
      if (p.endOffset !== undefined) result.observe(endOffset, Number(p.endOffset), attributes)
      // Both are commit offsets (next to read), so their difference is what a restart would read.
      // A commit can pass a log end learned before it: that lag is 0, not negative.
      const hasLag = p.endOffset !== undefined && p.lastCommitted !== undefined
      if (hasLag) {
        const behind = p.endOffset - p.lastCommitted
        result.observe(lag, behind > 0n ? Number(behind) : 0, attributes)
      }
      now.set(topicPartitionKey(p.topic, p.partition), { attributes, lag: hasLag })
    }
    // A revoked partition leaves stats(). The spec says an SDK stops exporting a series its callback
    // no longer reports, but the JS SDK under cumulative temporality keeps exporting the last value
    // (open-telemetry/opentelemetry-js#4096): a revoked partition would show its last lag forever.
    // One last 0 for the additive series keeps sums across the group's consumers right either way.
    for (const [key, gone] of reported) {
      const current = now.get(key)
      if (current === undefined) {
        result.observe(inFlight, 0, gone.attributes)
        result.observe(oldestAge, 0, gone.attributes)
      }
      if (gone.lag && current?.lag !== true) result.observe(lag, 0, gone.attributes)
    }
    reported = now
    const health = source.health()
    result.observe(owned, health.ownedPartitions, base)
    for (const reason of STALL_REASONS) {
      result.observe(stalled, health.stalled.filter((s) => s.reason === reason).length, withBase({ [A.stallReason]: reason }))
    }
    result.observe(starved, health.starved.length, base)
    result.observe(groupStalled, health.groupStalled.length, base)
    result.observe(stopped, health.stopped.length, base)
    if (health.lastCommitAgeMs !== undefined) result.observe(commitAge, health.lastCommitAgeMs, base)
    for (const s of HEALTH_STATUSES) result.observe(status, s === health.status ? 1 : 0, withBase({ [A.healthStatus]: s }))
  }

  const unsubscribe = [
    source.on('commit.succeeded', ({ request, durationMs }) => {
      const attributes = withBase(commitAttributes(request))
      commitDuration.record(durationMs, attributes)
      commits.add(1, { ...attributes, [A.commitOutcome]: 'succeeded' })
    }),
    source.on('commit.failed', ({ request, error, willRetry }) => {
      commits.add(1, withBase({
        ...commitAttributes(request),
        [A.commitOutcome]: 'failed',
        [A.errorType]: error.code,
        [A.commitWillRetry]: willRetry,
        ...(error.classification !== undefined && { [A.commitErrorClassification]: error.classification }),
      }))
    }),
    source.on('record.failed', ({ record, error, action }) => {
      recordsFailed.add(1, { ...partitionAttributes(record.topic, record.partition), [A.errorType]: error.code, [A.recordFailureAction]: action })
    }),
    source.on('record.dead-lettered', ({ record }) => recordsDeadLettered.add(1, partitionAttributes(record.topic, record.partition))),
    source.on('record.skipped', ({ record }) => recordsSkipped.add(1, partitionAttributes(record.topic, record.partition))),
    source.on('record.dropped', ({ record, reason }) => {
      recordsDropped.add(1, { ...partitionAttributes(record.topic, record.partition), [A.recordDropReason]: reason })
    }),
    source.on('client.failed', ({ restarting }) => clientFailures.add(1, withBase({ [A.clientRestarting]: restarting }))),
  ]
  meter.addBatchObservableCallback(observe, observables)

  let closed = false
  return {
    close() {
      if (closed) return
      closed = true
      for (const off of unsubscribe) off()
      meter.removeBatchObservableCallback(observe, observables)
    },
  }
}

function checkSource(source: unknown): void {
  const methods = ['on', 'stats', 'health'] as const
  const ok = typeof source === 'object' && source !== null && methods.every((m) => typeof (source as Record<string, unknown>)[m] === 'function')
  if (!ok) throw new ConfigError('consumer', source, 'an OffsetkitConsumer or a CommitEngine (with on, stats and health)', { hideValue: true })
}

const OPTION_KEYS = ['meterProvider', 'meterName', 'attributes']

function checkOptions(options: InstrumentOffsetkitOptions): void {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', options, '{ meterProvider?, meterName?, attributes? }')
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new ConfigError(key, (options as Record<string, unknown>)[key], `no such option; known: ${OPTION_KEYS.join(', ')}`)
  }
  const { meterProvider, meterName, attributes } = options
  if (meterProvider !== undefined && typeof (meterProvider as Partial<MeterProvider>).getMeter !== 'function') {
    throw new ConfigError('meterProvider', meterProvider, 'an OpenTelemetry MeterProvider (with getMeter)', { hideValue: true })
  }
  if (meterName !== undefined && (typeof meterName !== 'string' || meterName === '')) throw new ConfigError('meterName', meterName, 'a non-empty string')
  if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))) {
    throw new ConfigError('attributes', attributes, 'an object of OpenTelemetry attributes')
  }
}
