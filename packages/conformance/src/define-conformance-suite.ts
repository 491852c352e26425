import type { ConformanceFactory } from './conformance-factory.js'
import { registerBatch } from './scenarios/batch.js'
import { registerConfig } from './scenarios/config.js'
import { registerCrash } from './scenarios/crash.js'
import { registerFailures } from './scenarios/failures.js'
import { registerGaps } from './scenarios/gaps.js'
import { registerGroupLiveness } from './scenarios/group-liveness.js'
import { registerMissingTopic } from './scenarios/missing-topic.js'
import { registerNextOffset } from './scenarios/next-offset.js'
import { registerOrdering } from './scenarios/ordering.js'
import { registerPolicies } from './scenarios/policies.js'
import { registerRebalance } from './scenarios/rebalance.js'
import { registerShutdown } from './scenarios/shutdown.js'
import { registerTransactional } from './scenarios/transactional.js'
import { registerZombie } from './scenarios/zombie.js'
import { defineSuiteContext, type ConformanceSuiteOptions, type SuiteApi } from './suite-context.js'

/**
 * ONE behavioural suite for every adapter (keyv's storage test suite pattern). Every scenario
 * runs against the real broker and verifies committed offsets by reading them back from it.
 * Each concern registers its own scenarios (src/scenarios/); this only composes them, in order.
 */
export function defineConformanceSuite(api: SuiteApi, factory: ConformanceFactory, options: ConformanceSuiteOptions): void {
  const { describe, it } = api
  const protocols = options.groupProtocols ?? ['classic']

  const gap = factory.capabilities.groupProtocolConsumer
  if (typeof gap === 'string') {
    describe(`${factory.client} conformance (group.protocol=consumer)`, () => {
      // Reported in every run, with its reason: a declared gap, not a silent omission.
      it.skip(`declared gap: ${gap}`, async () => undefined)
    })
  }

  for (const protocol of protocols) {
    describe(`${factory.client} conformance (group.protocol=${protocol})`, () => {
      const ctx = defineSuiteContext(api, factory, options, protocol)
      registerNextOffset(ctx)
      registerPolicies(ctx)
      registerShutdown(ctx)
      registerCrash(ctx)
      registerOrdering(ctx)
      registerFailures(ctx)
      registerRebalance(ctx)
      registerGaps(ctx)
      registerMissingTopic(ctx)
      registerConfig(ctx)
      registerGroupLiveness(ctx)
      registerZombie(ctx)
      registerBatch(ctx)
      registerTransactional(ctx)
    })
  }
}
