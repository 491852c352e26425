import type { OffsetkitConsumer, OffsetkitOptions } from '@offsetkit/commit-core'

export type ClientName = 'kafkajs' | 'confluent' | 'node-rdkafka'

export interface CreateConsumerOptions {
  readonly bootstrapServers: string
  readonly groupId: string
  /** offsetkit options, passed through unchanged. */
  readonly offsetkit: OffsetkitOptions
  /** When set, the adapter is wired with a producer and dead-letters to this topic. */
  readonly deadLetterTopic?: string
  /** KIP-848 (`consumer`) or the classic protocol (default). */
  readonly groupProtocol?: 'classic' | 'consumer'
  /** Low session timeouts etc. so rebalance scenarios finish quickly. */
  readonly fastRebalance?: boolean
  /**
   * Exactly-once scenarios: build the adapter in transactional mode with this transactional id
   * (what it identifies depends on the client: see its README). `offsetkit.mode` is 'transactional'.
   */
  readonly transactionalId?: string
}

/**
 * How the suite gets an offsetkit consumer for one client. Everything client-specific lives here:
 * the adapter's conformance test file is this factory plus one call to defineConformanceSuite.
 */
export interface ConformanceFactory {
  readonly client: ClientName
  /** What the client cannot do, each with its reason: reported as declared gaps, never skipped silently. */
  readonly capabilities: ConformanceCapabilities
  /** A consumer for the group, reading from the earliest offset when nothing is committed. */
  createConsumer(options: CreateConsumerOptions): Promise<OffsetkitConsumer>
  /** Releases whatever createConsumer made besides the consumer (producers, clients). */
  cleanup?(): Promise<void>
}

/** What the suite may not expect from a client, each gap with the reason. */
export interface ConformanceCapabilities {
  /** The client runs the KIP-848 `consumer` group protocol. */
  readonly groupProtocolConsumer: boolean | string
  /** `commit: 'auto'` (the client's own auto-commit fed by offsetkit). `true`, or the reason it cannot. */
  readonly autoCommit: true | string
  /**
   * The watermark steps over a transaction marker that is the LAST thing in the log (it arrives
   * with no record after it). `true` (the default), or the reason the client cannot tell.
   */
  readonly trailingMarker?: true | string
  /**
   * Records of aborted transactions stay invisible when aborted transactions of several producers
   * overlap in a partition (the client's read_committed filter). `true` (the default), or why not.
   */
  readonly interleavedAborts?: true | string
  /**
   * The group check (`liveness.groupStallMs`, `group.partition.stalled`): a partition another
   * member owns and never moves is reported. `true` (the default), or the reason it cannot.
   */
  readonly groupLiveness?: true | string
  /** `mode: 'transactional'` (exactly-once consume-transform-produce). `true`, or the reason it cannot. */
  readonly transactions?: true | string
  /**
   * The exactly-once zombie scenario (E5): `true` (the default), or why it is not run — reported
   * as a skipped test with that text, never silently left out.
   */
  readonly transactionalZombie?: true | string
}
