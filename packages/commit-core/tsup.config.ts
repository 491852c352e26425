import { packageBuild } from '../../tsup.config.base'

// Three entries: the engine, the adapter kit (`./adapter`) and test helpers (`./testing`).
export default packageBuild({ entry: { index: 'src/index.ts', 'adapter/index': 'src/adapter/index.ts', 'testing/index': 'src/testing/index.ts' } })
