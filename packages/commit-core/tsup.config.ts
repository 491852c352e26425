import { packageBuild } from '../../tsup.config.base'

// Three entries: the engine, the adapter kit (`./adapter`) and test helpers (`./testing`).
// The subpaths import core's classes through the package's own name (external), so the CJS bundles
// share one ConfigError with the main entry instead of carrying copies.
export default packageBuild({
  entry: { index: 'src/index.ts', 'adapter/index': 'src/adapter/index.ts', 'testing/index': 'src/testing/index.ts' },
  external: ['@offsetkit/commit-core'],
})
