#!/usr/bin/env node
// What a user installs is the tarball, not the workspace: pack every public package with pnpm
// (which rewrites `workspace:` ranges and, for a package without a LICENSE of its own, adds the
// workspace root's LICENSE: the one copy this repository keeps, and the reason to publish with
// pnpm, i.e. `changeset publish`, never `npm publish`), then check
// the tarball with publint --strict, with attw (profile node16: node16 CJS + ESM and bundler
// resolution, for these ESM + CJS dual packages) and with the rules of this repository.
// Needs built packages (`pnpm build`). `node scripts/check-packages.mjs [name…]` prints the problems
// and exits 1 when there are any; scripts/test/check-packages.test.ts runs it inside `pnpm test`.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const REPOSITORY = 'git+https://github.com/offsetkit/offsetkit.git'
const attwBin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'attw.cmd' : 'attw')

/** Every workspace package under packages/ that is not private, as `{ name, dir }` (dir relative to the root). */
export function publicPackages() {
  return readdirSync(join(root, 'packages'))
    .map((folder) => `packages/${folder}`)
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private)
    .map(({ dir, pkg }) => ({ name: pkg.name, dir }))
}

/** A few at a time: each attw run loads TypeScript, and the machines running this have 2 cores. */
async function mapLimited(items, limit, fn) {
  const results = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

function output(error) {
  return `${error.stdout ?? ''}${error.stderr ?? ''}`.trim() || error.message
}

/** Checks one package's tarball; returns the problems found, as sentences. */
async function checkPackage({ name, dir }, workDir) {
  const problems = []
  const source = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'))
  if (!existsSync(join(root, dir, 'dist'))) return [`${dir}/dist does not exist: run \`pnpm build\` first`]

  const packDir = join(workDir, dir.replaceAll('/', '-'))
  mkdirSync(packDir, { recursive: true })
  try {
    await run('pnpm', ['pack', '--pack-destination', packDir], { cwd: join(root, dir), maxBuffer: 16 * 1024 * 1024 })
  } catch (error) {
    return [`pnpm pack failed:\n${output(error)}`]
  }
  const tarballName = readdirSync(packDir).find((file) => file.endsWith('.tgz'))
  if (!tarballName) return ['pnpm pack wrote no .tgz']
  const tarball = join(packDir, tarballName)
  const unpacked = join(packDir, 'unpacked')
  mkdirSync(unpacked)
  await run('tar', ['-xzf', tarball, '-C', unpacked])
  const packageRoot = join(unpacked, 'package')
  const file = (path) => join(packageRoot, path)
  const packed = JSON.parse(readFileSync(file('package.json'), 'utf8'))

  // This repository's rules.
  if (!existsSync(file('LICENSE'))) problems.push('the tarball has no LICENSE (pnpm adds the root LICENSE to a package that has none)')
  else if (readFileSync(file('LICENSE'), 'utf8') !== readFileSync(join(root, 'LICENSE'), 'utf8')) problems.push('the tarball LICENSE differs from the repository LICENSE')
  if (!existsSync(file('README.md'))) problems.push('the tarball has no README.md')
  if (packed.license !== 'Apache-2.0') problems.push(`license is ${JSON.stringify(packed.license)}, expected "Apache-2.0"`)
  if (packed.repository?.url !== REPOSITORY || packed.repository?.directory !== dir) {
    problems.push(`repository must be { type: "git", url: "${REPOSITORY}", directory: "${dir}" }`)
  }
  for (const field of ['description', 'homepage', 'bugs', 'keywords']) if (!packed[field]) problems.push(`package.json has no "${field}"`)
  if (packed.publishConfig?.access !== 'public') problems.push('publishConfig.access must be "public" (a scoped package is published restricted otherwise)')
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dependency, range] of Object.entries(packed[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${dependency} is still "${range}" in the tarball`)
    }
  }
  const bins = typeof packed.bin === 'string' ? { [packed.name]: packed.bin } : (packed.bin ?? {})
  for (const [command, path] of Object.entries(bins)) {
    if (!existsSync(file(path))) problems.push(`bin "${command}" points to ${path}, which is not in the tarball`)
    else if (!readFileSync(file(path), 'utf8').startsWith('#!/usr/bin/env node')) problems.push(`bin "${command}" (${path}) does not start with #!/usr/bin/env node`)
  }
  if (packed.name !== name || source.version !== packed.version) problems.push('the packed name or version differs from the workspace package.json')

  // publint on the exact tarball (strict: warnings count).
  const { messages } = await publint({ pack: { tarball: readFileSync(tarball).buffer }, strict: true, level: 'warning' })
  for (const message of messages) problems.push(`publint ${message.type}: ${formatMessage(message, packed, { color: false })}`)

  // attw on the exact tarball.
  try {
    await run(attwBin, [tarball, '--profile', 'node16', '--format', 'ascii', '--no-color', '--no-emoji'], { maxBuffer: 16 * 1024 * 1024 })
  } catch (error) {
    problems.push(`attw (profile node16):\n${output(error)}`)
  }
  return problems
}

/** Packs and checks the given packages (default: every public one). Resolves to `[{ name, problems }]`. */
export async function checkPackages(packages = publicPackages()) {
  const workDir = mkdtempSync(join(tmpdir(), 'offsetkit-check-packages-'))
  try {
    return await mapLimited(packages, 3, async (entry) => ({ name: entry.name, problems: await checkPackage(entry, workDir) }))
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}

/** One block per package with problems; empty when every package is fine. */
export function formatReport(results) {
  return results
    .filter(({ problems }) => problems.length > 0)
    .map(({ name, problems }) => `${name}:\n${problems.map((problem) => `  - ${problem.replaceAll('\n', '\n    ')}`).join('\n')}`)
    .join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const wanted = process.argv.slice(2)
  const packages = publicPackages().filter(({ name, dir }) => wanted.length === 0 || wanted.includes(name) || wanted.includes(dir))
  const started = Date.now()
  const results = await checkPackages(packages)
  const report = formatReport(results)
  if (report) {
    console.error(report)
    process.exitCode = 1
  } else {
    console.log(`${results.map(({ name }) => name).join(', ')}: tarballs pass publint --strict, attw (node16) and the repository checks (${Date.now() - started} ms)`)
  }
}
