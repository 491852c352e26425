import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseValidateArgs, USAGE, type ValidateCommand } from './parse-validate-args.js'
import { renderResults } from './render-results.js'
import { runMatrix } from './run-matrix.js'
import { UsageError } from './usage-error.js'

const argv = process.argv.slice(2)
let command: ValidateCommand
try {
  command = parseValidateArgs(argv)
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  process.stderr.write(`offsetkit-validate: ${error.message} (usage: offsetkit-validate --help)\n`)
  process.exit(2)
}
if (command.help) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}

const startedAt = new Date()
const out = resolve(command.out ?? join(fileURLToPath(new URL('..', import.meta.url)), 'validation-results', startedAt.toISOString().replace(/[:.]/g, '-')))
mkdirSync(out, { recursive: true })
const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`)
}
log(`offsetkit-validate: ${command.scenarios.length} scenario(s) × ${command.clients.join(',')} × ${command.protocols.join(',')} → ${out}`)
const { runs, broker } = await runMatrix(command, out, log)
const doc = { startedAt: startedAt.toISOString(), wallMs: Date.now() - startedAt.getTime(), broker, argv, runs }
writeFileSync(join(out, 'results.json'), `${JSON.stringify(doc, null, 2)}\n`)
const markdown = renderResults(doc)
writeFileSync(join(out, 'results.md'), markdown)
process.stdout.write(markdown)
process.exit(runs.some((r) => r.status === 'fail') ? 1 : 0)
