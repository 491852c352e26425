import * as vitest from 'vitest'
import { defineConformanceSuite } from '@offsetkit/conformance'
import { factory } from './conformance-factory.js'

defineConformanceSuite(vitest, factory, {
  bootstrapServers: () => vitest.inject('kafka').bootstrapServers,
  factoryModule: new URL('./conformance-factory.ts', import.meta.url).pathname,
})
