import { isSecretKey, redactSecrets } from '@offsetkit/commit-core'
import { BrokerError } from './broker-error.js'

/**
 * Where a broker comes from: `external` (`KAFKA_BOOTSTRAP_SERVERS`), `docker` (Testcontainers),
 * `local` (KRaft from Maven Central jars), or `auto` (the first that works, in that order).
 */
export type BrokerMode = 'auto' | 'external' | 'docker' | 'local'

/** Options of `startBroker()`; bad ones throw a {@link BrokerError} with code `INVALID_OPTION`. */
export interface BrokerOptions {
  /** Number of combined broker+controller nodes. 1 (default) or 3 (for failure tests). */
  nodes?: 1 | 3
  /** Apache Kafka version (Maven Central `org.apache.kafka:kafka_2.13`, Docker `apache/kafka`). Default 4.1.1. */
  version?: string
  /**
   * Where the broker comes from. `auto` (default): `KAFKA_BOOTSTRAP_SERVERS` → a Docker engine that answers
   * → a local KRaft broker from Maven Central jars. Also settable with `OFFSETKIT_BROKER`.
   */
  mode?: BrokerMode
  /** JVM heap per node in MiB (local mode). Default 512; benchmarks want 1024. */
  heapMb?: number
  /** `group.coordinator.append.linger.ms` to run with. Default 5 (Kafka 4.0/4.1's default). */
  appendLingerMs?: number
  /** How long to wait for readiness, per attempt. Default 90 s. */
  startTimeoutMs?: number
  /** Where jars are cached. Default `$OFFSETKIT_CACHE_DIR` or `~/.cache/offsetkit`. */
  cacheDir?: string
  /** Receives every log line of every broker process (local mode). */
  onLog?: (line: string, nodeId: number) => void
}

export interface ResolvedBrokerOptions {
  nodes: 1 | 3
  version: string
  mode: BrokerMode
  heapMb: number
  appendLingerMs: number
  startTimeoutMs: number
  cacheDir: string | undefined
  onLog: ((line: string, nodeId: number) => void) | undefined
}

const MODES: readonly BrokerMode[] = ['auto', 'external', 'docker', 'local']

function render(value: unknown): string {
  try {
    return String(JSON.stringify(redactSecrets(value)))
  } catch {
    return '[object]'
  }
}

function invalid(option: string, value: unknown, accepted: string): BrokerError {
  // A misplaced client setting (`sasl`, `ssl.key.password`) is named, never shown.
  const shown = isSecretKey(option) ? `set (${typeof value}, value not shown)` : render(value)
  return new BrokerError('INVALID_OPTION', `startBroker: option "${option}" is ${shown}; accepted: ${accepted}`)
}

function positiveInteger(option: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalid(option, value, `an integer ≥ ${min}`)
  }
  return value
}

/** Checks every option before anything is spawned or connected. */
export function resolveBrokerOptions(options: BrokerOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedBrokerOptions {
  if (options === null || typeof options !== 'object') throw invalid('options', options, 'an object or nothing')
  const known = new Set(['nodes', 'version', 'mode', 'heapMb', 'appendLingerMs', 'startTimeoutMs', 'cacheDir', 'onLog'])
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw invalid(key, (options as Record<string, unknown>)[key], `one of the options ${[...known].join(', ')}`)
  }
  const nodes = options.nodes ?? 1
  if (nodes !== 1 && nodes !== 3) throw invalid('nodes', nodes, '1 or 3')
  const version = options.version ?? env.KAFKA_VERSION ?? '4.1.1'
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) throw invalid('version', version, 'a Kafka version such as "4.1.1"')
  if (!version.startsWith('4.')) throw invalid('version', version, 'Kafka 4.x (KRaft only, Java 17)')
  const mode = options.mode ?? (env.OFFSETKIT_BROKER as BrokerMode | undefined) ?? 'auto'
  if (!MODES.includes(mode)) throw invalid(options.mode === undefined ? 'OFFSETKIT_BROKER' : 'mode', mode, MODES.join(' | '))
  if (options.onLog !== undefined && typeof options.onLog !== 'function') throw invalid('onLog', options.onLog, 'a function')
  if (options.cacheDir !== undefined && (typeof options.cacheDir !== 'string' || options.cacheDir === '')) {
    throw invalid('cacheDir', options.cacheDir, 'a non-empty path')
  }
  return {
    nodes,
    version,
    mode,
    heapMb: positiveInteger('heapMb', options.heapMb, 512, 128),
    appendLingerMs: positiveInteger('appendLingerMs', options.appendLingerMs, 5, 0),
    startTimeoutMs: positiveInteger('startTimeoutMs', options.startTimeoutMs, 90_000, 1000),
    cacheDir: options.cacheDir,
    onLog: options.onLog,
  }
}
