import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { BrokerError } from './broker-error.js'

const run = promisify(execFile)

/** log4j2 version Kafka itself ships with, per Kafka minor. The SLF4J binding is in no Kafka POM. */
function log4jVersionFor(kafkaVersion: string): string {
  const [, minor] = kafkaVersion.split('.').map(Number)
  return (minor ?? 0) >= 2 ? '2.25.3' : '2.24.3'
}

/** Where Kafka's jars are cached: `OFFSETKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/offsetkit`, else `~/.cache/offsetkit`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OFFSETKIT_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "offsetkit")
}

export async function commandWorks(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args, { timeout: 20_000 })
    return true
  } catch {
    return false
  }
}

/** One Maven artifact (with its runtime dependencies) for {@link ensureMavenJars}. */
export interface MavenArtifact {
  /** Maven group id, e.g. `org.apache.kafka`. */
  readonly groupId: string
  /** Maven artifact id, e.g. `kafka-tools`. */
  readonly artifactId: string
  /** Exact version. */
  readonly version: string
}

/** A set of jars {@link ensureMavenJars} resolves once and caches. */
export interface MavenJarSet {
  /** The cache folder's name under the cache dir (e.g. `kafka-tools-4.1.1`); its jars go in `lib/`. */
  readonly name: string
  /** What to resolve, with every runtime dependency. */
  readonly artifacts: readonly MavenArtifact[]
  /** True for a jar file name the resolved set must hold (a folder without one is not complete). */
  readonly holds: (fileName: string) => boolean
}

/**
 * Jars from Maven Central, resolved once with `mvn dependency:copy-dependencies` (runtime scope)
 * and cached outside git; returns the folder holding them. Concurrent callers (several processes)
 * wait on a lock folder; a lock left by a dead process is taken over. Throws BrokerError
 * `JAR_RESOLUTION_FAILED` with mvn's last lines when resolution fails.
 */
export async function ensureMavenJars(set: MavenJarSet, cacheDir = defaultCacheDir()): Promise<string> {
  const home = join(cacheDir, set.name)
  const lib = join(home, 'lib')
  const complete = (): boolean => existsSync(join(lib, '.complete')) && readdirSync(lib).some(set.holds)
  if (complete()) return lib
  mkdirSync(home, { recursive: true })
  const lock = join(home, '.lock')
  await acquire(lock)
  try {
    if (complete()) return lib
    const pom = join(home, 'pom.xml')
    writeFileSync(pom, pomFor(set))
    const staging = join(home, `lib.${process.pid}`)
    rmSync(staging, { recursive: true, force: true })
    try {
      await run('mvn', ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`], {
        timeout: 600_000,
        maxBuffer: 16 * 1024 * 1024,
      })
    } catch (cause) {
      const output = cause && typeof cause === 'object' && 'stdout' in cause ? String((cause as { stdout: unknown }).stdout) : ''
      const what = set.artifacts.map((a) => `${a.groupId}:${a.artifactId}:${a.version}`).join(', ')
      throw new BrokerError('JAR_RESOLUTION_FAILED', `Could not resolve ${what} from Maven Central with mvn.\n${output.split('\n').slice(-20).join('\n')}`, { cause })
    }
    writeFileSync(join(staging, '.complete'), new Date().toISOString())
    rmSync(lib, { recursive: true, force: true })
    renameSync(staging, lib)
    return lib
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/**
 * Apache Kafka's broker jars from Maven Central, resolved once with `mvn` and cached outside git.
 * Returns the folder holding them. Concurrent callers (several processes) wait on a lock folder.
 */
export function ensureKafkaJars(version: string, cacheDir = defaultCacheDir()): Promise<string> {
  return ensureMavenJars({
    name: `kafka-${version}`,
    artifacts: [
      { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version },
      // Kafka is on slf4j 1.7: without this binding the broker logs nothing and readiness is invisible.
      { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: log4jVersionFor(version) },
    ],
    holds: (file) => file.startsWith('kafka_2.13-'),
  }, cacheDir)
}

async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + 600_000
  for (;;) {
    try {
      mkdirSync(lock)
      writeFileSync(join(lock, 'pid'), String(process.pid))
      return
    } catch {
      if (staleLock(lock)) {
        rmSync(lock, { recursive: true, force: true })
        continue
      }
      if (Date.now() > deadline) throw new BrokerError('JAR_RESOLUTION_FAILED', `Timed out waiting for the jar lock ${lock}`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

/** A lock left by a process that no longer exists is stale. */
function staleLock(lock: string): boolean {
  let pid: number
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'))
  } catch {
    return false // being created right now
  }
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return false
  } catch {
    return true
  }
}

function pomFor(set: MavenJarSet): string {
  const dependencies = set.artifacts
    .map((a) => `    <dependency><groupId>${a.groupId}</groupId><artifactId>${a.artifactId}</artifactId><version>${a.version}</version></dependency>`)
    .join('\n')
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.offsetkit</groupId>
  <artifactId>${set.name}-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${dependencies}
  </dependencies>
</project>
`
}
