import { packageBuild } from '../../tsup.config.base'

// testcontainers is an optional dependency loaded only on the Docker path: never bundle it.
export default packageBuild({ entry: ['src/index.ts', 'src/cli.ts'], external: ['testcontainers'] })
