import { BrokerError } from './broker-error.js'
import { resolveBrokerOptions, type BrokerMode, type BrokerOptions } from './broker-options.js'
import { dockerEngineAnswers, startDockerBroker } from './docker-broker.js'
import { commandWorks, defaultCacheDir, ensureKafkaJars } from './kafka-jars.js'
import { startLocalCluster, type BrokerNode } from './local-cluster.js'

/** A running Kafka, from `startBroker()`: where to connect, and the handles to stop it. */
export interface Broker {
  /** Comma-separated `host:port` list for clients. */
  readonly bootstrapServers: string
  /** Where this broker came from. */
  readonly source: Exclude<BrokerMode, 'auto'>
  /** Apache Kafka version, when known (not for an external cluster unless `KAFKA_VERSION` says). */
  readonly version: string | undefined
  /** `group.coordinator.append.linger.ms` in force, when known. It bounds per-message sync commit latency. */
  readonly appendLingerMs: number | undefined
  /** The broker processes (local mode only; empty otherwise). */
  readonly nodes: readonly BrokerNode[]
  /** Stops every node and deletes its data. Idempotent. */
  stop(): Promise<void>
}

const THREE_WAYS = [
  'offsetkit needs a real Apache Kafka broker and found no way to get one. Any of these works:',
  '  1. set KAFKA_BOOTSTRAP_SERVERS=host:port to use a running cluster;',
  '  2. start a Docker engine and install `testcontainers` (an optional peer dependency; it runs apache/kafka), or `docker compose -f docker/compose.yml up --wait`;',
  '  3. install Java 17+ and Maven (`apt-get install openjdk-17-jdk-headless maven`): a local KRaft broker is started from Maven Central jars.',
].join('\n')

/**
 * A real broker, chosen in this order: `KAFKA_BOOTSTRAP_SERVERS` → a Docker engine that answers
 * (Testcontainers) → a local KRaft broker from Apache Kafka's jars on Maven Central.
 */
export async function startBroker(options?: BrokerOptions): Promise<Broker> {
  const resolved = resolveBrokerOptions(options)
  const external = process.env.KAFKA_BOOTSTRAP_SERVERS?.trim()
  const mode = resolved.mode

  if (mode === 'external' || (mode === 'auto' && external)) {
    if (!external) throw new BrokerError('INVALID_OPTION', 'startBroker: mode "external" needs KAFKA_BOOTSTRAP_SERVERS=host:port[,host:port]')
    const lingerEnv = process.env.KAFKA_APPEND_LINGER_MS
    return {
      bootstrapServers: external,
      source: 'external',
      version: process.env.KAFKA_VERSION,
      appendLingerMs: lingerEnv === undefined ? undefined : Number(lingerEnv),
      nodes: [],
      stop: async () => {},
    }
  }

  if (mode === 'docker' || (mode === 'auto' && resolved.nodes === 1 && (await dockerEngineAnswers()))) {
    const docker = await startDockerBroker(resolved)
    return once({ ...docker, source: 'docker', version: resolved.version, appendLingerMs: resolved.appendLingerMs, nodes: [] })
  }

  const cacheDir = resolved.cacheDir ?? defaultCacheDir()
  const [java, mvn] = await Promise.all([commandWorks('java', ['-version']), commandWorks('mvn', ['-v'])])
  if (!java) throw new BrokerError('NO_BROKER_RUNTIME', `${THREE_WAYS}\n(no working \`java\` on PATH${mode === 'local' ? '' : ', no Docker engine answered'})`)
  let lib: string
  try {
    lib = await ensureKafkaJars(resolved.version, cacheDir)
  } catch (error) {
    if (!mvn) throw new BrokerError('NO_BROKER_RUNTIME', `${THREE_WAYS}\n(Kafka ${resolved.version} jars are not cached in ${cacheDir} and \`mvn\` is not on PATH)`, { cause: error })
    throw error
  }
  const cluster = await startLocalCluster(lib, resolved)
  return once({
    bootstrapServers: cluster.bootstrapServers,
    source: 'local',
    version: resolved.version,
    appendLingerMs: resolved.appendLingerMs,
    nodes: cluster.nodes,
    stop: cluster.stop,
  })
}

function once(broker: Broker): Broker {
  let stopping: Promise<void> | undefined
  return { ...broker, stop: () => (stopping ??= broker.stop()) }
}
