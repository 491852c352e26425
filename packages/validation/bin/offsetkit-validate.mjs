#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, resolving the workspace's @offsetkit/* packages from source.
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
await import('../src/cli.ts')
