import { createServer } from 'node:net'

/**
 * A TCP port that is free on `host` right now (the OS picks it). Another process could take it
 * before it is used; good enough for tests and `--port 0`, where a clash just fails the start.
 */
export async function freePort(host: string): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error(`could not find a free port on ${host}`)
  return address.port
}
