import { ConfigError, type OffsetkitOptions } from '@offsetkit/commit-core'
import type { SuiteContext } from '../suite-context.js'

/** 9. Bad options are rejected with a typed error before anything connects. */
export function registerConfig(ctx: SuiteContext): void {
  const { api: { it, expect }, factory } = ctx
  it('9. bad options are rejected with a typed error before connecting', async () => {
    const nowhere = '127.0.0.1:1' // nothing listens: only a pre-connect check can answer quickly
    for (const [offsetkit, option] of [
      [{ commit: { every: 0 } }, 'commit.every'],
      [{ ordering: 'sideways' }, 'ordering'],
      [{ failure: { then: 'explode' } }, 'failure.then'],
      [{ maxInFlight: -1 }, 'maxInFlight'],
      [{ commitz: 'typo' }, 'options.commitz'],
    ] as const) {
      const error = await factory.createConsumer({ bootstrapServers: nowhere, groupId: 'never', offsetkit: offsetkit as OffsetkitOptions }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).option).toBe(option)
    }
  })
}
