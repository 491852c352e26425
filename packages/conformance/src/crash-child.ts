// Child process for the crash scenario: consumes through the adapter under test and appends one
// line "partition offset" per processed record, written synchronously BEFORE the record is
// acknowledged, so a SIGKILL can never lose a processed record from the file.
import { appendFileSync } from 'node:fs'
import type { ConformanceFactory } from './conformance-factory.js'

interface ChildArgs {
  factoryModule: string
  bootstrapServers: string
  groupProtocol: 'classic' | 'consumer'
  topic: string
  groupId: string
  recordFile: string
  offsetkit: Record<string, unknown>
  /** Simulated work per record, so records do not all finish within one commit round trip. */
  workMs: number
  /** Exactly-once runs: the adapter's transactional id; each record sends one output to `outputTopic`. */
  transactionalId?: string
  outputTopic?: string
  /** Print membership events as JSON lines on stdout (`{"event":"partition.lost","partition":0}`). */
  events?: boolean
}

const args = JSON.parse(process.argv[2]!) as ChildArgs
const { factory } = (await import(args.factoryModule)) as { factory: ConformanceFactory }
const consumer = await factory.createConsumer({
  bootstrapServers: args.bootstrapServers,
  groupId: args.groupId,
  groupProtocol: args.groupProtocol,
  fastRebalance: true,
  offsetkit: args.offsetkit,
  ...(args.transactionalId !== undefined && { transactionalId: args.transactionalId }),
})
if (process.env.OFFSETKIT_CRASH_DEBUG) {
  consumer.on('commit.failed', ({ error, willRetry }) => console.error('commit.failed', error.code, willRetry, String(error.cause)))
  consumer.on('commit.succeeded', ({ request }) => console.error('commit.ok', request.reason, request.offsets.map((o) => `${o.partition}:${o.offset}`).join(' ')))
  consumer.on('partition.assigned', ({ partition }) => console.error('assigned', partition))
  consumer.on('partition.lost', ({ partition }) => console.error('lost', partition))
}
if (args.events === true) {
  const print = (event: string, fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`)
  for (const name of ['partition.assigned', 'partition.revoked', 'partition.lost'] as const) consumer.on(name, ({ partition }) => print(name, { partition }))
  consumer.on('membership.probing', ({ silentMs }) => print('membership.probing', { silentMs }))
  consumer.on('membership.probed', ({ outcome, waitedMs }) => print('membership.probed', { outcome, waitedMs }))
}
process.once('SIGTERM', () => {
  void consumer.close().then(async () => {
    await factory.cleanup?.()
    process.exit(0)
  }, (error: unknown) => {
    console.error(error)
    process.exit(1)
  })
})
await consumer.run({
  topics: [args.topic],
  handler: async (record, context) => {
    await new Promise((resolve) => setTimeout(resolve, args.workMs))
    if (args.outputTopic !== undefined) context.send(args.outputTopic, { key: `${record.partition}:${record.offset}`, value: String(process.pid) })
    appendFileSync(args.recordFile, `${record.partition} ${record.offset}\n`)
  },
})
process.send?.('running')
