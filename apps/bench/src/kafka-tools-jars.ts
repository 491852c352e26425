// Apache Kafka's kafka-tools jar (ConsumerPerformance) and its runtime dependencies, resolved from
// Maven Central with `mvn` the way @offsetkit/broker resolves the broker's jars, and cached next
// to them. The broker's own jar set has kafka-tools-api but not kafka-tools.
import { defaultCacheDir } from '@offsetkit/broker'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'

const run = promisify(execFile)
const LOCK_WAIT_MS = 600_000

function pomFor(version: string): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.offsetkit</groupId>
  <artifactId>kafka-tools-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>${version}</version></dependency>
  </dependencies>
</project>
`
}

function isComplete(lib: string): boolean {
  return existsSync(join(lib, '.complete')) && readdirSync(lib).some((f) => f.startsWith('kafka-tools-') && !f.startsWith('kafka-tools-api'))
}

/** The folder holding kafka-tools `version` and its runtime jars, resolved once and cached. */
export async function ensureKafkaToolsJars(version: string, cacheDir = defaultCacheDir()): Promise<string> {
  const home = join(cacheDir, `kafka-tools-${version}`)
  const lib = join(home, 'lib')
  if (isComplete(lib)) return lib
  mkdirSync(home, { recursive: true })
  const lock = join(home, '.lock')
  const deadline = Date.now() + LOCK_WAIT_MS
  // Another bench resolving the same version: wait for it rather than race it.
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the jar lock ${lock} (remove it if no bench is running)`)
      await sleep(250)
    }
  }
  try {
    if (isComplete(lib)) return lib
    const pom = join(home, 'pom.xml')
    writeFileSync(pom, pomFor(version))
    const staging = join(home, `lib.${process.pid}`)
    rmSync(staging, { recursive: true, force: true })
    try {
      await run('mvn', ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`], {
        timeout: LOCK_WAIT_MS,
        maxBuffer: 16 * 1024 * 1024,
      })
    } catch (cause) {
      const output = cause && typeof cause === 'object' && 'stdout' in cause ? String((cause as { stdout: unknown }).stdout) : ''
      throw new Error(`could not resolve org.apache.kafka:kafka-tools:${version} with mvn${output === '' ? '' : `: ${output.split('\n').slice(-5).join(' ')}`}`, { cause })
    }
    writeFileSync(join(staging, '.complete'), new Date().toISOString())
    rmSync(lib, { recursive: true, force: true })
    renameSync(staging, lib)
    return lib
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}
