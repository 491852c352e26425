#!/usr/bin/env node
// offsetkit-broker: a real Kafka broker for manual use. `start` (default) prints the bootstrap
// address and runs until Ctrl-C; `jars` resolves and caches the Maven jars (used by CI).
import { constants } from 'node:os'
import { parseArgs } from 'node:util'
import { BrokerError } from './broker-error.js'
import { resolveBrokerOptions, type BrokerOptions } from './broker-options.js'
import { ensureKafkaJars, defaultCacheDir } from './kafka-jars.js'
import { startBroker } from './start-broker.js'

// Ctrl-C, `kill` and a closed terminal all stop the broker. The handlers are installed before
// anything starts: a signal while the broker is starting, or a second one while it stops, exits at
// once, and the process-exit hook of the local cluster SIGKILLs its JVMs and deletes their data.
// Nothing may outlive this process: `pnpm broker` forwards SIGINT to this process alone (the
// script `exec`s node so no shell sits in between), and the JVMs never see it.
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
const exitAtOnce = (signal: NodeJS.Signals): never => process.exit(128 + (constants.signals[signal] ?? 0))
let onStopSignal: (signal: NodeJS.Signals) => void = exitAtOnce
for (const signal of STOP_SIGNALS) process.on(signal, (received) => onStopSignal(received))

const USAGE = `usage: offsetkit-broker [start] [--nodes 1|3] [--version 4.1.1] [--heap-mb 512] [--mode auto|external|docker|local]
       offsetkit-broker jars [--version 4.1.1]`

async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        nodes: { type: 'string' },
        version: { type: 'string' },
        'heap-mb': { type: 'string' },
        mode: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  const command = positionals[0] ?? 'start'
  if (!['start', 'jars'].includes(command) || positionals.length > 1) {
    console.error(`unknown command "${positionals.join(' ')}"; accepted: start, jars\n${USAGE}`)
    return 2
  }
  const options: BrokerOptions = {}
  if (values.nodes !== undefined) options.nodes = Number(values.nodes) as 1 | 3
  if (values.version !== undefined) options.version = values.version
  if (values['heap-mb'] !== undefined) options.heapMb = Number(values['heap-mb'])
  if (values.mode !== undefined) options.mode = values.mode as BrokerOptions['mode'] & string
  try {
    const resolved = resolveBrokerOptions(options)
    if (command === 'jars') {
      const started = Date.now()
      const lib = await ensureKafkaJars(resolved.version, resolved.cacheDir ?? defaultCacheDir())
      console.log(`Kafka ${resolved.version} jars in ${lib} (${Date.now() - started} ms)`)
      return 0
    }
    const started = Date.now()
    const broker = await startBroker(options)
    console.log(`Kafka ${broker.version ?? '(version unknown)'} (${broker.source}, ${broker.nodes.length || 1} node(s)) ready in ${Date.now() - started} ms`)
    console.log(`bootstrap servers: ${broker.bootstrapServers}`)
    console.log('Ctrl-C stops it and deletes its data.')
    await new Promise<NodeJS.Signals>((resolve) => {
      onStopSignal = resolve
    })
    onStopSignal = exitAtOnce
    console.log('stopping… (a second Ctrl-C kills it)')
    await broker.stop()
    return 0
  } catch (error) {
    if (error instanceof BrokerError) {
      console.error(`${error.code}: ${error.message}`)
      return error.code === 'INVALID_OPTION' ? 2 : 1
    }
    throw error
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code))
