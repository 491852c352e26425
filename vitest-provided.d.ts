// What the integration project's globalSetup (packages/broker/test/global-setup.ts) provides to tests.
import 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    kafka: { bootstrapServers: string; version: string | null; appendLingerMs: number | null; source: string }
  }
}
