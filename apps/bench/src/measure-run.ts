import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { JAVA } from './bench-clients.js'
import type { Shape, Task } from './bench-plan.js'
import type { BenchKafka } from './bench-kafka.js'
import type { RunOutcome, RunSpec } from './consume-run.js'
import { runConsumerPerformance } from './java-consumer-perf.js'
import { runInChild } from './run-in-child.js'
import type { MeterReading } from './run-meter.js'
import type { RunResult } from './run-result.js'

export interface PreparedTopic {
  readonly topic: string
  readonly shape: Shape
  readonly ends: ReadonlyMap<number, bigint>
}

const slug = (text: string): string => text.replace(/[^a-z0-9]+/gi, '-')

/**
 * One run of one cell, in a process of its own: fresh group, earliest offset, warm-up discarded,
 * timed to an exact count, closed (final commit). Then, from this process, the committed offsets
 * read back from the broker must equal the end offsets (or be absent for the no-commit arms), and
 * a transactional run's output topic, read with read_committed, must hold exactly one record per
 * consumed input. A run that fails any of this is failed, not timed.
 * `javaLib`: the kafka-tools jars for the Java anchor.
 */
export async function measureRun(task: Task, prepared: PreparedTopic, kafka: BenchKafka, javaLib: string | undefined): Promise<RunResult> {
  const began = performance.now()
  const { client, arm, run } = task
  const { topic, shape, ends } = prepared
  const groupId = `offsetkit-bench-${client}-${slug(arm.id)}-${run}-${randomBytes(3).toString('hex')}`
  const total = shape.warmup + shape.records
  // Generous: the slow arms run ~100 records/s on a busy 2-core machine.
  const timeoutMs = 120_000 + total * (shape.id === 'slow' ? 30 : 1)
  const result = (fields: { status: 'ok'; reading: MeterReading; mbPerSec?: number; output?: NonNullable<RunResult['output']> } | { status: 'failed'; reason: string }): RunResult => {
    const wallSeconds = (performance.now() - began) / 1000
    if (fields.status === 'failed') {
      return {
        client, arm: arm.id, kind: arm.kind, run, status: 'failed', reason: fields.reason, records: shape.records, seconds: 0, recordsPerSec: 0,
        commits: null, commitP50Ms: null, commitP99Ms: null, commitsPerSec: null, eldP99Ms: null, cpuSeconds: null, rssMiB: null, heapMiB: null, wallSeconds,
      }
    }
    const { reading, status, ...rest } = fields
    return { client, arm: arm.id, kind: arm.kind, run, status, ...reading, ...rest, wallSeconds }
  }

  if (client === JAVA) {
    if (javaLib === undefined) return result({ status: 'failed', reason: 'no kafka-tools jars' })
    const java = await runConsumerPerformance({ lib: javaLib, brokers: kafka.brokers, topic, groupId, warmup: shape.warmup, records: shape.records, timeoutMs })
    const check = await kafka.checkOffsets(groupId, topic, ends, true)
    await kafka.deleteGroup(groupId)
    if (!java.ok) return result({ status: 'failed', reason: java.reason })
    if (!check.ok) return result({ status: 'failed', reason: `offsets: ${check.detail}` })
    return result({ status: 'ok', reading: java.reading, mbPerSec: java.mbPerSec })
  }

  const outputTopic = arm.transactional ? `offsetkit-bench-out-${client}-${slug(arm.id)}-${run}-${randomBytes(3).toString('hex')}` : undefined
  try {
    if (outputTopic !== undefined) await kafka.createTopic(outputTopic, shape.partitions)
    const spec: RunSpec = {
      client, arm, brokers: kafka.brokers, groupId, topic, warmup: shape.warmup, records: shape.records, size: shape.size, timeoutMs,
      ...(outputTopic === undefined ? {} : { output: { topic: outputTopic, transaction: { id: `${groupId}-tx` } } }),
    }
    const outcome: RunOutcome = await runInChild(spec)
    const check = outcome.status === 'ok' ? await kafka.checkOffsets(groupId, topic, ends, arm.commit !== 'none') : undefined
    await kafka.deleteGroup(groupId)
    if (outcome.status === 'failed') return result({ status: 'failed', reason: outcome.reason })
    if (check?.ok === false) return result({ status: 'failed', reason: `offsets: ${check.detail}` })
    if (outputTopic === undefined) return result({ status: 'ok', reading: outcome.reading })
    // Exactly once: one output per consumed input, none twice, none of an aborted transaction.
    const output = await kafka.readCommitted(outputTopic, outcome.processed)
    if (output.records !== outcome.processed || output.distinctInputs !== outcome.processed) {
      return result({ status: 'failed', reason: `output: ${output.records} records (${output.distinctInputs} distinct inputs) read_committed for ${outcome.processed} consumed` })
    }
    return result({ status: 'ok', reading: outcome.reading, output })
  } finally {
    if (outputTopic !== undefined) await kafka.deleteTopics([outputTopic])
  }
}
