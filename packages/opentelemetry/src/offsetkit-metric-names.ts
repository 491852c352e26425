/**
 * The name of every metric `instrumentOffsetkit` creates, for dashboards, alerts and views.
 * Each one is described in this package's README (instrument, unit, attributes, meaning).
 */
export const OFFSETKIT_METRICS = {
  /** Histogram, ms: how long each commit attempt the broker acknowledged took. */
  commitDuration: 'offsetkit.commit.duration',
  /** Counter: commit attempts, by outcome. */
  commits: 'offsetkit.commits',
  /** Gauge, ms: time since the broker last acknowledged a commit. */
  commitAge: 'offsetkit.commit.last_ack.age',
  /** UpDownCounter (observed): log end minus committed offset, per partition. */
  partitionLag: 'offsetkit.partition.lag',
  /** Gauge (observed): the committed offset (next offset to read), per partition. */
  partitionCommittedOffset: 'offsetkit.partition.committed_offset',
  /** Gauge (observed): the log end offset as the client last reported it, per partition. */
  partitionEndOffset: 'offsetkit.partition.end_offset',
  /** UpDownCounter (observed): records seen and not done, per partition. */
  recordsInFlight: 'offsetkit.records.in_flight',
  /** Gauge (observed), ms: age of the oldest record in flight, per partition. */
  recordsOldestInFlightAge: 'offsetkit.records.oldest_in_flight.age',
  /** Counter: failed handler attempts, by the action taken. */
  recordsFailed: 'offsetkit.records.failed',
  /** Counter: records sent to the dead-letter topic. */
  recordsDeadLettered: 'offsetkit.records.dead_lettered',
  /** Counter: records skipped by the failure policy. */
  recordsSkipped: 'offsetkit.records.skipped',
  /** Counter: records delivered but not tracked (duplicates, unowned partitions). */
  recordsDropped: 'offsetkit.records.dropped',
  /** UpDownCounter (observed): partitions owned. */
  partitionsOwned: 'offsetkit.partitions.owned',
  /** UpDownCounter (observed): owned partitions whose commits cannot advance. */
  partitionsStalled: 'offsetkit.partitions.stalled',
  /** UpDownCounter (observed): owned partitions with records to read that deliver none. */
  partitionsStarved: 'offsetkit.partitions.starved',
  /** UpDownCounter (observed): partitions of the group NOT owned here that no member moves (lag, committed offset still). */
  partitionsGroupStalled: 'offsetkit.partitions.group_stalled',
  /** UpDownCounter (observed): partitions stopped by the failure policy. */
  partitionsStopped: 'offsetkit.partitions.stopped',
  /** Counter: times the client itself failed. */
  clientFailures: 'offsetkit.client.failures',
  /** UpDownCounter (observed): 1 for the current health status, 0 for the others. */
  consumerStatus: 'offsetkit.consumer.status',
} as const

/**
 * The attribute keys metrics carry. Topic and partition use OpenTelemetry's messaging semantic
 * conventions, so the points join with spans from Kafka client instrumentations; the rest are
 * offsetkit's own, under the `offsetkit.` namespace.
 */
export const OFFSETKIT_ATTRIBUTES = {
  /** Semantic convention: the topic. */
  topic: 'messaging.destination.name',
  /** Semantic convention: the partition number, as a string. */
  partition: 'messaging.destination.partition.id',
  /** Semantic convention: an error's code (`CommitError.code`, `ProcessingError.code`). */
  errorType: 'error.type',
  /** Why the commit was made: `policy`, `manual`, `revoke`, `close`. */
  commitReason: 'offsetkit.commit.reason',
  /** Whether the commit waited for the broker's reply (boolean). */
  commitSync: 'offsetkit.commit.sync',
  /** `succeeded` or `failed`. */
  commitOutcome: 'offsetkit.commit.outcome',
  /** How the adapter classified a failed commit: `retriable`, `rebalance`, `fenced`, `fatal`. */
  commitErrorClassification: 'offsetkit.commit.error.classification',
  /** Whether core retries (or re-sends after the rebalance) a failed commit (boolean). */
  commitWillRetry: 'offsetkit.commit.will_retry',
  /** What followed a failed handler attempt: `retry`, `abandon`, or the `failure.then` action. */
  recordFailureAction: 'offsetkit.record.failure.action',
  /** Why a delivered record was dropped: `duplicate`, `not-assigned`, `not-dispatching`. */
  recordDropReason: 'offsetkit.record.drop.reason',
  /** Why commits stall: `commits-failing`, `fenced`, `commit-hung`. */
  stallReason: 'offsetkit.partition.stall.reason',
  /** Whether the failed client restarts by itself (boolean). */
  clientRestarting: 'offsetkit.client.restarting',
  /** A health status: `idle`, `ok`, `degraded`, `failed`, `closed`. */
  healthStatus: 'offsetkit.health.status',
} as const
