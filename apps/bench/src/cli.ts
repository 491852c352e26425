#!/usr/bin/env node
// offsetkit-bench: produce, consume through offsetkit, run the benchmark matrix, re-render a report.
import { BenchKafka } from './bench-kafka.js'
import { parseCommand, USAGE, type Command } from './parse-args.js'
import { runBench, rerenderReport } from './run-bench.js'
import { runConsume } from './run-consume.js'
import { UsageError } from './usage-error.js'
import { withBroker } from './with-broker.js'

const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

async function execute(command: Command): Promise<void> {
  switch (command.command) {
    case 'help':
      process.stdout.write(`${USAGE}\n`)
      return
    case 'produce':
      await withBroker(command.brokers, log, async (broker) => {
        const kafka = new BenchKafka(broker.bootstrapServers)
        const started = Date.now()
        try {
          await kafka.produceTopic(command.topic, command)
        } finally {
          await kafka.close()
        }
        log(`produced ${command.messages} × ${command.size} B into ${command.topic} (${command.partitions} partitions${command.transactional ? ', transactional' : ''}) in ${Date.now() - started} ms`)
      })
      return
    case 'consume':
      await runConsume(command)
      return
    case 'bench': {
      const { dir, markdown } = await runBench(command)
      process.stdout.write(`${markdown}\n`)
      log(`results in ${dir}/ (results.json, results.md, chart.svg)`)
      return
    }
    case 'report':
      process.stdout.write(`${await rerenderReport(command.dir)}\n`)
      return
  }
}

/** Exit codes: 0 done, 1 failed, 2 usage error (nothing connected). */
export async function main(argv: readonly string[]): Promise<number> {
  let command: Command
  try {
    command = parseCommand(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`offsetkit-bench: ${error.message}\n${USAGE}\n`)
    return 2
  }
  try {
    await execute(command)
    return 0
  } catch (error) {
    // Found only once connected (e.g. the topic exists): still the user's input, said in one line.
    if (error instanceof UsageError) {
      process.stderr.write(`offsetkit-bench: ${error.message}\n`)
      return 2
    }
    process.stderr.write(`offsetkit-bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
// Kafka clients keep sockets and native threads alive after close; the work is done.
process.exit()
