#!/usr/bin/env node
import { CliUsageError, parseCliOptions, USAGE } from './cliOptions.js'
import { startRoot } from './startRoot.js'

async function main(): Promise<void> {
  let options
  try {
    options = parseCliOptions(process.argv.slice(2), process.env)
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err
    console.error(err.message)
    process.exit(2)
  }
  if (options.help) {
    console.log(USAGE)
    return
  }
  const { verbose, ...init } = options.init
  const root = await startRoot({
    ...init,
    ...(verbose ? { log: (line: string) => console.log(line) } : {}),
  }).catch((err: unknown) => {
    const e = err as NodeJS.ErrnoException
    const hint =
      e.code === 'EADDRINUSE' ? ' Another program uses that port: stop it or pick another with --port.'
      : e.code === 'EACCES' ? ' Ports below 1024 need extra rights: pick another with --port.'
      : ''
    console.error(`The root could not start: ${e.message.replace(/\.$/, '')}.${hint}`)
    process.exit(1)
  })
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal}: stopping the root…`)
    root.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  console.log(
    `PeerCompute root is running.\n` +
      `  Open ${root.url} in a browser (the certificate is self-signed: accept the warning, or put a trusted\n` +
      `  certificate in ${root.dataDir}/tls/).\n` +
      `  libp2p: ${root.p2pMultiaddrs.join(' ')}\n` +
      `  data:   ${root.dataDir}\n` +
      `Press Ctrl+C to stop.`,
  )
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
