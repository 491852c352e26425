import * as vitest from 'vitest'
import { defineConformanceSuite } from '@offsetkit/conformance'
import { factory } from './conformance-factory.js'

defineConformanceSuite(vitest, factory, {
  bootstrapServers: () => vitest.inject('kafka').bootstrapServers,
  factoryModule: new URL('./conformance-factory.ts', import.meta.url).pathname,
  capabilities: {
    groupProtocolConsumer: 'kafkajs implements only the classic group protocol (JoinGroup/SyncGroup)',
    autoCommit: 'kafkajs resolves offsets only inside the current eachBatch call, so its auto-commit cannot follow an out-of-order watermark',
  },
})
