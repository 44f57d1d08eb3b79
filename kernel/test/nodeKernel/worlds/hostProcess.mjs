// A PeerCompute node in a process of its own, driven by its parent over IPC: a test can freeze it
// for real (SIGSTOP: its event loop, timers and libp2p all stop, its sockets stay open) and wake
// it (SIGCONT). It runs the built kernel (kernel/dist): build first (`npx tsc -b kernel`).
//
// argv[2]: JSON { root, bootstrap, name }. Messages in: { id, op: 'host', world } | { id, op: 'status' }
// | { id, op: 'place', name } | { id, op: 'stop' }; each is answered { id, ok, value | error }.
import { createNode, httpWorldSource } from '@peercompute/kernel'
import { nodeFetch, nodePlatform } from '@peercompute/kernel/node'

const { root, bootstrap, name } = JSON.parse(process.argv[2])
const source = httpWorldSource({ root, fetch: nodeFetch({ insecure: true }) })
const node = await createNode({
  platform: nodePlatform({ listen: ['/ip4/127.0.0.1/tcp/0/ws'], trustRoot: { insecure: true }, dhtPrivateAddresses: true }),
  name, bootstrap, worlds: { source, heartbeatMs: 2000, hostPingMs: 500 }
})
await node.start()

const status = () => {
  const s = node.getStatus()
  return { peerId: s.peerId, host: node.kernel.subWorlds.place(node.kernel.world()?.id ?? null).host, parent: s.parent, hosting: s.hosting?.world ?? null, migrations: s.migrations, entities: node.kernel.state.world()?.entities().map((e) => e.name) ?? [] }
}
const ops = {
  host: async (msg) => (await node.kernel.hostWorld(msg.world)).world,
  status: async () => status(),
  place: async (msg) => { await node.kernel.state.placeProp({ prop: { shape: 'box', size: [1, 1, 1], color: '#ff00ff', mass: 0 }, position: [2, 0, -2], name: msg.name }) },
  stop: async () => { await node.stop(); setImmediate(() => process.exit(0)) }
}
process.on('message', (msg) => {
  ops[msg.op](msg).then((value) => { process.send({ id: msg.id, ok: true, value: value ?? null }) }, (err) => {
    process.send({ id: msg.id, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
  })
})
process.send({ ready: true, peerId: node.getStatus().peerId })
