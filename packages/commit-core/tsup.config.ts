import { packageBuild } from '../../tsup.config.base'

// Two entries: the engine, and test helpers under the `./testing` subpath export.
export default packageBuild({ entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' } })
