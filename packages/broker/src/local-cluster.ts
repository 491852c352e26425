import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { redactText } from '@offsetkit/commit-core'
import { BrokerError } from './broker-error.js'
import type { ResolvedBrokerOptions } from './broker-options.js'
import { freePorts } from './free-ports.js'

const READY_LINE = 'Kafka Server started (kafka.server.KafkaRaftServer)'
const LOG_TAIL = 40
const STOP_GRACE_MS = 15_000

/** One node of a local KRaft cluster, for failure tests. */
export interface BrokerNode {
  /** Kafka's `node.id` of this node. */
  readonly nodeId: number
  /** `127.0.0.1:<port>` of this node's client listener. */
  readonly address: string
  /** Whether its process runs now (a frozen node still counts as running). */
  readonly running: boolean
  /**
   * Its JVM's process id while it runs: for a fault that must not depend on the test's own event
   * loop (e.g. a thaw scheduled from a separate process while the code under test may block it).
   */
  readonly pid: number | undefined
  /** SIGTERM (controlled shutdown), SIGKILL after 15 s. Data stays until the cluster stops. */
  stop(): Promise<void>
  /** SIGKILL: a crash. */
  kill(): Promise<void>
  /** Starts a stopped node again on the same ports and data. */
  start(): Promise<void>
  /** SIGSTOP: the JVM stops answering but keeps its sockets open (a long GC pause, a frozen VM). */
  freeze(): void
  /** SIGCONT after `freeze()`. */
  thaw(): void
}

export interface LocalCluster {
  readonly nodes: readonly BrokerNode[]
  readonly bootstrapServers: string
  readonly dir: string
  stop(): Promise<void>
}

// Every live broker process and data folder, so that process exit never leaves a JVM behind.
const liveProcesses = new Set<ChildProcess>()
const liveDirs = new Set<string>()
let exitHookInstalled = false
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const child of liveProcesses) child.kill('SIGKILL')
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true })
  })
}

interface NodePlan {
  nodeId: number
  port: number
  controllerPort: number
  dir: string
}

function serverProperties(plan: NodePlan, all: NodePlan[], options: ResolvedBrokerOptions): string {
  const replication = all.length
  const minIsr = all.length > 1 ? 2 : 1
  return [
    'process.roles=broker,controller',
    `node.id=${plan.nodeId}`,
    `controller.quorum.voters=${all.map((p) => `${p.nodeId}@127.0.0.1:${p.controllerPort}`).join(',')}`,
    `listeners=PLAINTEXT://127.0.0.1:${plan.port},CONTROLLER://127.0.0.1:${plan.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${plan.port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(plan.dir, 'data')}`,
    `offsets.topic.replication.factor=${replication}`,
    `transaction.state.log.replication.factor=${replication}`,
    `transaction.state.log.min.isr=${minIsr}`,
    `share.coordinator.state.topic.replication.factor=${replication}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    // The defaults (50 partitions each) make the first group and transaction lookups slow.
    'offsets.topic.num.partitions=1',
    'transaction.state.log.num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    // Compacted-topic tests wait for the cleaner; the default backoff is 15 s.
    'log.cleaner.backoff.ms=1000',
    // KIP-848 (group.protocol=consumer) groups: the defaults (45 s session, 5 s heartbeat) make
    // every join and crash recovery in tests take tens of seconds.
    'group.consumer.min.session.timeout.ms=6000',
    'group.consumer.session.timeout.ms=10000',
    'group.consumer.min.heartbeat.interval.ms=500',
    'group.consumer.heartbeat.interval.ms=1000',
    `group.coordinator.append.linger.ms=${options.appendLingerMs}`,
    'auto.create.topics.enable=false',
    'num.network.threads=2',
    'num.io.threads=4',
    'num.partitions=1',
    '',
  ].join('\n')
}

const LOG4J2 = [
  'status = warn',
  'appender.stdout.type = Console',
  'appender.stdout.name = STDOUT',
  'appender.stdout.layout.type = PatternLayout',
  'appender.stdout.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = WARN',
  'rootLogger.appenderRef.stdout.ref = STDOUT',
  // The readiness line is logged at INFO by this one logger.
  'logger.raft.name = kafka.server.KafkaRaftServer',
  'logger.raft.level = INFO',
  '',
].join('\n')

function javaArgs(lib: string, log4j: string, extra: string[], heapMb: number, logsDir: string): string[] {
  return [
    `-Xms${heapMb}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j}`,
    `-Dkafka.logs.dir=${logsDir}`,
    '-cp',
    `${lib}/*`,
    ...extra,
  ]
}

function collectLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = ''
    stream?.setEncoding('utf8')
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) if (line.trim() !== '') onLine(line)
    })
  }
}

async function format(lib: string, log4j: string, plan: NodePlan, clusterId: string): Promise<void> {
  const tail: string[] = []
  const child = spawn('java', [
    '-Xmx256m', `-Dlog4j2.configurationFile=${log4j}`, '-cp', `${lib}/*`,
    'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', join(plan.dir, 'server.properties'), '--ignore-formatted',
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  collectLines(child, (line) => { tail.push(line); if (tail.length > LOG_TAIL) tail.shift() })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', resolve)
  })
  if (code !== 0) {
    throw new BrokerError('BROKER_START_FAILED', `Formatting the storage of node ${plan.nodeId} failed (exit ${code}):\n${tail.join('\n')}`, { logTail: tail })
  }
}

class JvmNode implements BrokerNode {
  readonly nodeId: number
  readonly address: string
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  readonly tail: string[] = []

  constructor(
    private readonly plan: NodePlan,
    private readonly lib: string,
    private readonly log4j: string,
    private readonly options: ResolvedBrokerOptions,
  ) {
    this.nodeId = plan.nodeId
    this.address = `127.0.0.1:${plan.port}`
  }

  get running(): boolean {
    return this.child !== undefined
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Spawns the JVM and resolves once it logged readiness; rejects with the log tail if it dies first. */
  start(): Promise<void> {
    if (this.child) return Promise.resolve()
    installExitHook()
    const child = spawn('java', javaArgs(this.lib, this.log4j, ['kafka.Kafka', join(this.plan.dir, 'server.properties')], this.options.heapMb, join(this.plan.dir, 'logs')), {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    liveProcesses.add(child)
    this.exited = new Promise((resolve) => child.once('exit', () => {
      liveProcesses.delete(child)
      if (this.child === child) this.child = undefined
      resolve()
    }))
    return new Promise<void>((resolve, reject) => {
      let ready = false
      const timer = setTimeout(() => {
        reject(new BrokerError('BROKER_START_TIMEOUT',
          `Kafka node ${this.nodeId} was not ready after ${this.options.startTimeoutMs} ms. Last log lines:\n${this.tail.join('\n')}`,
          { logTail: [...this.tail] }))
      }, this.options.startTimeoutMs)
      collectLines(child, (raw) => {
        // The tail ends up in error messages and every line in onLog: no JAAS/SASL value may pass.
        const line = redactText(raw)
        this.tail.push(line)
        if (this.tail.length > LOG_TAIL) this.tail.shift()
        this.options.onLog?.(line, this.nodeId)
        if (!ready && line.includes(READY_LINE)) {
          ready = true
          clearTimeout(timer)
          resolve()
        }
      })
      child.once('error', (cause) => {
        clearTimeout(timer)
        reject(new BrokerError('BROKER_START_FAILED', `Could not run java for node ${this.nodeId}: ${cause.message}`, { cause }))
      })
      child.once('exit', (code, signal) => {
        if (ready) return
        clearTimeout(timer)
        reject(new BrokerError('BROKER_START_FAILED',
          `Kafka node ${this.nodeId} exited during start (code ${code}, signal ${signal}). Last log lines:\n${this.tail.join('\n')}`,
          { logTail: [...this.tail] }))
      })
    })
  }

  freeze(): void {
    this.child?.kill('SIGSTOP')
  }

  thaw(): void {
    this.child?.kill('SIGCONT')
  }

  async stop(): Promise<void> {
    const child = this.child
    if (!child) return
    child.kill('SIGTERM')
    // A frozen JVM only acts on SIGTERM once it runs again.
    child.kill('SIGCONT')
    const grace = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
    await this.exited
    clearTimeout(grace)
  }

  async kill(): Promise<void> {
    const child = this.child
    if (!child) return
    child.kill('SIGKILL')
    await this.exited
  }
}

/** 16 random bytes, base64url. Never starting with '-', which the storage tool would read as a flag. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

function isPortClash(error: unknown): boolean {
  return error instanceof BrokerError && error.logTail.some((line) => /Address already in use|BindException/.test(line))
}

/**
 * A KRaft cluster of `options.nodes` combined broker+controller JVMs on free 127.0.0.1 ports.
 * On a port clash it retries on new ports; any other failure carries the broker's last log lines.
 */
export async function startLocalCluster(lib: string, options: ResolvedBrokerOptions): Promise<LocalCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startLocalClusterOnce(lib, options)
    } catch (error) {
      if (attempt < 4 && isPortClash(error)) continue
      throw error
    }
  }
}

async function startLocalClusterOnce(lib: string, options: ResolvedBrokerOptions): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'offsetkit-kafka-'))
  liveDirs.add(dir)
  installExitHook()
  const ports = await freePorts(options.nodes * 2)
  const plans: NodePlan[] = Array.from({ length: options.nodes }, (_, i) => ({
    nodeId: i + 1,
    port: ports[2 * i]!,
    controllerPort: ports[2 * i + 1]!,
    dir: join(dir, `node-${i + 1}`),
  }))
  const log4j = join(dir, 'log4j2.properties')
  writeFileSync(log4j, LOG4J2)
  const clusterId = newClusterId()
  for (const plan of plans) {
    mkdirSync(join(plan.dir, 'logs'), { recursive: true })
    writeFileSync(join(plan.dir, 'server.properties'), serverProperties(plan, plans, options))
  }
  const nodes = plans.map((plan) => new JvmNode(plan, lib, log4j, options))
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()))
    rmSync(dir, { recursive: true, force: true })
    liveDirs.delete(dir)
  }
  try {
    await Promise.all(plans.map((plan) => format(lib, log4j, plan, clusterId)))
    await Promise.all(nodes.map((node) => node.start()))
  } catch (error) {
    await Promise.all(nodes.map((node) => node.kill()))
    rmSync(dir, { recursive: true, force: true })
    liveDirs.delete(dir)
    throw error
  }
  return { nodes, bootstrapServers: nodes.map((n) => n.address).join(','), dir, stop }
}
