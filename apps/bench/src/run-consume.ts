import { closeSync, openSync, writeSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { createBenchConsumer } from './create-bench-consumer.js'
import type { ConsumeCommand } from './parse-args.js'
import { withBroker } from './with-broker.js'

const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

/**
 * `consume`: one offsetkit consumer until SIGINT/SIGTERM or `--exit-when-idle` (no record for that
 * long once partitions were assigned). With `--record`,
 * each processed record's `topic partition offset` line is written (write(2), so it survives a
 * SIGKILL of this process) BEFORE the handler resolves, i.e. before offsetkit may commit past it.
 */
export async function runConsume(command: ConsumeCommand): Promise<void> {
  await withBroker(command.brokers, log, async (broker) => {
    const consumer = await createBenchConsumer(
      command.client,
      { brokers: broker.bootstrapServers, groupId: command.group },
      {
        commit: command.commit,
        ordering: command.ordering,
        ...(command.concurrency === undefined ? {} : { concurrency: command.concurrency }),
        // A starved partition must show before the idle exit could hide it.
        ...(command.exitWhenIdleMs !== undefined && { liveness: { starvationMs: Math.max(1000, Math.min(60_000, Math.floor(command.exitWhenIdleMs / 2))) } }),
      },
    )
    const fd = command.record === undefined ? undefined : openSync(command.record, 'a')
    let processed = 0
    let commits = 0
    let lastActivity = performance.now()
    consumer.on('commit.succeeded', () => {
      commits++
    })
    // Idle time counts from the first assignment: after a SIGKILL the group first waits for the
    // dead member's session to expire, which is not idleness.
    let assigned = false
    // A client restarting itself (kafkajs after a broker restart) is not idle: it comes back.
    let restarting = false
    consumer.on('partition.assigned', () => {
      assigned = true
      restarting = false
      lastActivity = performance.now()
    })
    consumer.on('consumer.stopped', ({ error }) => log(`consumer stopped: ${error.message}`))
    let stalls = 0
    let starved = 0
    consumer.on('commit.stalled', ({ partitions }) => { stalls += partitions.length })
    consumer.on('partition.starved', ({ partitions }) => { starved += partitions.length })
    let clientDied: unknown
    consumer.on('client.failed', ({ error, restarting: again }) => {
      restarting = again
      if (!again) {
        clientDied = error
        stop('the client failed and does not restart')
      }
    })
    const handler = async (record: { topic: string; partition: number; offset: bigint }): Promise<void> => {
      if (command.workMs > 0) await sleep(command.workMs)
      if (fd !== undefined) writeSync(fd, `${record.topic} ${record.partition} ${record.offset}\n`)
      processed++
      lastActivity = performance.now()
    }
    const started = performance.now()
    let stop!: (why: string) => void
    const stopped = new Promise<string>((resolve) => { stop = resolve })
    const onSignal = (signal: NodeJS.Signals): void => stop(signal)
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    let idleTimer: NodeJS.Timeout | undefined
    let health: ReturnType<typeof consumer.health> | undefined
    try {
      await consumer.run({ topics: [command.topic], handler })
      log(`consuming ${command.topic} as ${command.group} with ${command.client}, commit ${command.commitText}, ordering ${command.ordering}`)
      const idleMs = command.exitWhenIdleMs
      if (idleMs !== undefined) {
        lastActivity = performance.now()
        idleTimer = setInterval(() => {
          if (restarting) lastActivity = performance.now()
          else if (assigned && performance.now() - lastActivity >= idleMs) stop(`idle for ${idleMs} ms`)
        }, Math.min(idleMs, 100))
      }
      const why = await stopped
      health = consumer.health()
      log(`stopping (${why}): final commit and leave`)
    } finally {
      clearInterval(idleTimer)
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      await consumer.close()
      if (fd !== undefined) closeSync(fd)
    }
    const seconds = (performance.now() - started) / 1000
    const status = health?.status ?? 'closed'
    process.stdout.write(`${JSON.stringify({ processed, seconds: Math.round(seconds * 1000) / 1000, recordsPerSec: Math.round(processed / seconds), commits, stalls, starved, health: status })}\n`)
    // Never exit 0 as if all were well: a dead client, or partitions stalled or starved at the end.
    if (clientDied !== undefined) throw new Error(`the client failed and did not restart: ${clientDied instanceof Error ? clientDied.message : String(clientDied)}`)
    if (status === 'failed' || status === 'degraded') throw new Error(`the consumer ended ${status}: ${health?.reasons.join('; ')}`)
  })
}
