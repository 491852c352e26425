import { fileURLToPath } from 'node:url'
import { Application, LogLevel } from 'typedoc'
import { expect, test } from 'vitest'

// The API reference is a promise too: every public export of the published packages carries TSDoc
// and every {@link} resolves. This runs TypeDoc's own validation with the root typedoc.json (what
// `pnpm docs` runs), without rendering, so a missing doc fails `pnpm test`, not only `pnpm docs`.
const root = fileURLToPath(new URL('../..', import.meta.url))

test('every public export is documented and every {@link} resolves (typedoc.json validation)', async () => {
  const messages: string[] = []
  const app = await Application.bootstrapWithPlugins({ options: `${root}typedoc.json`, emit: 'none', logLevel: LogLevel.Warn })
  app.logger.log = (message, level) => {
    if (level >= LogLevel.Warn) messages.push(String(message))
  }
  const cwd = process.cwd()
  process.chdir(root) // typedoc.json paths (compilerOptions.baseUrl) are relative to the repository root
  try {
    const project = await app.convert()
    expect(project, 'TypeDoc could not convert the entry points').toBeDefined()
    if (project !== undefined) app.validate(project)
  } finally {
    process.chdir(cwd)
  }
  // Git remote warnings are about source links, not the API.
  const problems = messages.filter((m) => !m.includes('git remote'))
  expect(problems).toEqual([])
}, 60_000)
