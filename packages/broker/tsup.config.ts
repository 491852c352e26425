import { packageBuild } from '../../tsup.config.base'

// dist/cli.js is the `offsetkit-broker` bin (esbuild keeps its shebang, tsup marks it executable).
// testcontainers is an optional peer dependency loaded only on the Docker path: never bundle it.
export default packageBuild({ entry: ['src/index.ts', 'src/cli.ts'], dts: { entry: 'src/index.ts' }, external: ['testcontainers'] })
