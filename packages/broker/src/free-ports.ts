import { createServer } from 'node:net'

/** Ports the OS says are free on 127.0.0.1 right now (a later bind can still clash; callers retry). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<import('node:net').Server>((resolve, reject) => {
        const server = createServer()
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => resolve(server))
      }),
    ),
  )
  const ports = servers.map((s) => {
    const address = s.address()
    if (address === null || typeof address === 'string') throw new Error('unexpected server address')
    return address.port
  })
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}
