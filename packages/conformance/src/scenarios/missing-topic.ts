import { ClientError, isOffsetkitError } from '@offsetkit/commit-core'
import { LONG, type SuiteContext } from '../suite-context.js'

/** A topic that does not exist fails run() with a typed error, and the consumer cleans up. */
export function registerMissingTopic(ctx: SuiteContext): void {
  const { api: { it, expect }, factory, protocol, open } = ctx
  it('a topic that does not exist: run() rejects with ClientError TOPIC_NOT_FOUND', async () => {
    const existing = await ctx.harness.createTopic()
    const missing = ctx.harness.name('missing')
    const consumer = await factory.createConsumer({
      bootstrapServers: ctx.harness.bootstrapServers,
      groupId: ctx.harness.name('g-missing'),
      offsetkit: {},
      groupProtocol: protocol,
    })
    open.push(consumer)
    const error = await consumer.run({ topics: [existing, missing], handler: () => undefined }).then(() => 'resolved', (e: unknown) => e)
    expect(error).toBeInstanceOf(ClientError)
    expect(isOffsetkitError(error)).toBe(true)
    expect((error as ClientError).code).toBe('TOPIC_NOT_FOUND')
    expect((error as ClientError).topics).toContain(missing)
    expect((error as ClientError).message).toContain(missing)
    // The consumer cleaned up after itself: close() resolves, and nothing created the topic.
    await consumer.close()
    expect(consumer.health().status).toBe('closed')
    expect(await ctx.harness.topicExists(missing)).toBe(false)
  }, LONG)
}
