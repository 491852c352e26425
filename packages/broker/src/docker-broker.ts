import { newClusterId } from './local-cluster.js'
import { BrokerError } from './broker-error.js'
import type { ResolvedBrokerOptions } from './broker-options.js'
import { freePorts } from './free-ports.js'

const PROBE_TIMEOUT_MS = 4_000

// testcontainers is an optional peer dependency, loaded only on this path: the jar path never pays
// for it (about 130 packages) nor needs it installed.
type Testcontainers = typeof import('testcontainers')
type LoadedTestcontainers = { tc: Testcontainers } | { tc: undefined; missing: boolean; cause: unknown }

async function loadTestcontainers(): Promise<LoadedTestcontainers> {
  try {
    return { tc: await import('testcontainers') }
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code
    const missing = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((cause as Error).message).includes("'testcontainers'")
    return { tc: undefined, missing, cause }
  }
}

/** True when a container engine actually answers; the `docker` CLI being installed proves nothing. */
export async function dockerEngineAnswers(): Promise<boolean> {
  const { tc } = await loadTestcontainers()
  if (!tc) return false
  let timer: NodeJS.Timeout | undefined
  try {
    const probe = tc.getContainerRuntimeClient().then(() => true, () => false)
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)
    })
    return await Promise.race([probe, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export interface DockerBroker {
  bootstrapServers: string
  stop(): Promise<void>
}

/**
 * A single-node KRaft `apache/kafka` container. The advertised listener must be the address
 * clients use, so the host port is fixed (chosen free) rather than mapped at random.
 */
export async function startDockerBroker(options: ResolvedBrokerOptions): Promise<DockerBroker> {
  if (options.nodes !== 1) {
    throw new BrokerError('INVALID_OPTION', 'startBroker: option "nodes" is 3, but the Docker path runs a single node; accepted with Docker: 1 (use OFFSETKIT_BROKER=local for a 3-node cluster)')
  }
  const loaded = await loadTestcontainers()
  if (!loaded.tc) {
    throw new BrokerError('DOCKER_START_FAILED', loaded.missing
      ? 'startBroker: mode "docker" needs testcontainers, an optional peer dependency of @offsetkit/broker that is not installed. Install it (`npm install --save-dev testcontainers@11`), or use mode "local" (Java 17+ and Maven) or KAFKA_BOOTSTRAP_SERVERS'
      : `startBroker: mode "docker" could not load testcontainers: ${(loaded.cause as Error)?.message ?? String(loaded.cause)}`,
    { cause: loaded.cause })
  }
  const { tc } = loaded
  const [port] = await freePorts(1)
  try {
    const container = await new tc.GenericContainer(`apache/kafka:${options.version}`)
      .withExposedPorts({ container: port!, host: port! })
      .withEnvironment({
        CLUSTER_ID: newClusterId(),
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://localhost:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_LOG_CLEANER_BACKOFF_MS: '1000',
        KAFKA_GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS: '6000',
        KAFKA_GROUP_CONSUMER_SESSION_TIMEOUT_MS: '10000',
        KAFKA_GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS: '500',
        KAFKA_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
        KAFKA_GROUP_COORDINATOR_APPEND_LINGER_MS: String(options.appendLingerMs),
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withWaitStrategy(tc.Wait.forLogMessage('Kafka Server started'))
      .withStartupTimeout(options.startTimeoutMs)
      .start()
    return {
      bootstrapServers: `127.0.0.1:${port}`,
      stop: async () => {
        await container.stop()
      },
    }
  } catch (cause) {
    throw new BrokerError('DOCKER_START_FAILED', `Could not start apache/kafka:${options.version} with Testcontainers: ${(cause as Error).message}`, { cause })
  }
}
