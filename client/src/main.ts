/**
 * The PeerCompute browser app. Boot order (docs/ARCHITECTURE.md, "Client ↔ kernel"):
 * name → root description → signed overworld bundle verified file by file → not older than the
 * version this browser ran before → then, in parallel, the renderer (WebGPU after a test frame,
 * else WebGL2) drawing the world with the avatar at its spawn, and the node (Loro, libp2p, Havok)
 * starting → the session binds the node when it runs. Any failure shows a full-screen error and
 * stops; nothing from an unverified or rolled-back bundle ever runs.
 */
import type { PeerComputeNode, WorldListing } from '@peercompute/kernel'
import { markBoot } from './boot/bootMarks.js'
import { resolvePlayerName } from './boot/namePrompt.js'
import { showFatalError } from './boot/errorPanel.js'
import { initLoro } from './boot/initLoro.js'
import { LoadingScreen } from './boot/loadingScreen.js'
import { parseUrlOptions } from './boot/urlOptions.js'
import { loadedWorld } from './bundle/loadedWorld.js'
import { loadWellKnown } from './bundle/wellKnown.js'
import { loadWorldBundle } from './bundle/loadWorldBundle.js'
import { guardAgainstRollback } from './bundle/rollbackGuard.js'
import { indexedDbVersionMemory } from './bundle/versionMemory.js'
import type { RenderEngine } from './render/createRenderEngine.js'
import { warmUpWebGPU } from './render/warmUpWebGPU.js'
import type { PlaySession } from './session/playSession.js'
import { loadWorldList } from './worlds/worldList.js'
import { WorldListFeed } from './worlds/worldListFeed.js'
import { WorldListPanel } from './worlds/worldListPanel.js'

/** Blobs are content-addressed and immutable, so the HTTP cache may serve them; the rest is revalidated. */
const fetchFromPage = (url: string, init?: { signal?: AbortSignal }): Promise<Response> =>
  fetch(url, { ...init, credentials: 'same-origin', cache: url.startsWith('/blobs/') ? 'default' : 'no-cache' })

async function boot(): Promise<void> {
  markBoot('boot')
  const options = parseUrlOptions(location.search)
  const loading = new LoadingScreen()
  const versions = indexedDbVersionMemory()
  warmUpWebGPU(options.renderer)
  // The renderer and scene code download beside this first chunk (index.html preloads them) and
  // run once the bundle's files are requested, so that running them overlaps the download.
  const renderCode = once(() => import('./render/createRenderEngine.js'))
  const sessionCode = once(() => import('./session/playSession.js'))

  let release: () => void = () => undefined
  const firstFrame = new Promise<void>((resolve) => { release = resolve })
  const variant = new URLSearchParams(location.search).get('v') ?? 'defer'
  const gate = variant === 'parallel' ? Promise.resolve() : firstFrame
  const nodeCode = gate.then(() => Promise.all([import('./node/startNode.js'), import('./node/kernelView.js')]))
  const loro = (variant === 'loro-early' ? Promise.resolve() : gate).then(() => initLoro())
  for (const pending of [nodeCode, loro]) pending.catch(() => undefined)

  loading.step('Choose a name', 0)
  const name = await resolvePlayerName(options.name)

  let step = 'load the world'
  let session: PlaySession | null = null
  let joining: Promise<PeerComputeNode> | null = null
  let feed: WorldListFeed | null = null
  let panel: WorldListPanel | null = null
  try {
    loading.step('Contacting the root…', 0)
    const wellKnown = await loadWellKnown(fetchFromPage)
    markBoot('well-known')
    loading.step(`Downloading and verifying “${wellKnown.overworld}”…`, 0)
    const bundle = await loadWorldBundle({
      worldId: wellKnown.overworld,
      rootKey: wellKnown.rootKey,
      fetch: fetchFromPage,
      onProgress: ({ loaded, total }) => loading.bytes(loaded, total),
      onFilesRequested: () => void renderCode().catch(() => undefined),
    })
    performance.mark('peercompute:x-bundle-loaded')
    step = 'check the world version'
    await guardAgainstRollback(versions, bundle.manifest)
    markBoot('bundle-verified')

    // Verified and not a rollback: the world may run.
    step = 'start the renderer'
    loading.step('Starting the renderer…', 1)
    loading.note(`${bundle.manifest.name} ${bundle.manifest.version} · signature and ${bundle.manifest.files.length} files verified`)
    const canvas = createSceneCanvas()
    const { startRenderEngine } = await renderCode()
    const starting = startRenderEngine(canvas, options.renderer)
    starting.catch(() => undefined)
    // While the GPU process sets the engine up, the main thread makes the terrain and runs the scene code.
    const world = loadedWorld(bundle)
    const { startPlaySession } = await sessionCode()
    const pending = await starting
    markBoot('renderer')

    let joinStep = 'join the network'
    joining = (async () => {
      await loro
      const [{ startNode }] = await nodeCode
      const node = await startNode({ name, wellKnown, worldId: world.id })
      markBoot('node-started')
      joinStep = 'start physics'
      await node.kernel.enterWorld(world)
      markBoot('world-entered')
      return node
    })()
    joining.catch(() => undefined)

    step = 'start the world'
    const sessionFor = (render: RenderEngine): PlaySession =>
      startPlaySession({
        engine: render.engine,
        renderer: render.renderer,
        canvas: render.canvas,
        worldName: world.name,
        definition: world.definition,
        heights: world.heights,
        chatMaxLength: bundle.rules.chat.maxLength,
        onFirstFrame: () => {
          loading.hide()
          release()
        },
      })
    // The scene builds while WebGPU's grace period for a late device loss runs out.
    performance.mark('peercompute:x-pending')
    session = sessionFor(pending)
    const render = await pending.confirmed()
    if (render.engine !== pending.engine) {
      session.stop()
      session = sessionFor(render)
    }
    console.info(`[peercompute] renderer: ${render.renderer} (${render.reason})`)
    session.draw()
    document.body.dataset.renderer = render.renderer
    render.canvas.focus()

    // The world list is no part of the first frame; it loads beside the node.
    let node: PeerComputeNode | null = null
    let worlds: WorldListing[] = []
    const worldPanel = new WorldListPanel(document.body, world.id, () => void feed?.refresh())
    panel = worldPanel
    feed = new WorldListFeed({
      load: () => loadWorldList(fetchFromPage),
      onList: (list) => {
        worlds = list
        markBoot('worlds-listed')
        worldPanel.show(list)
        node?.kernel.reportWorlds(list)
      },
      onError: (err) => worldPanel.showError(err instanceof Error ? err.message : String(err)),
    })
    feed.start()

    step = 'join the network'
    node = await joining.catch((err: unknown) => {
      step = joinStep
      throw err
    })
    const [, { kernelView }] = await nodeCode
    node.kernel.reportWorlds(worlds)
    session.attach(kernelView(node))
    window.peercompute = node
    // Leaving the page says goodbye on the network instead of letting presence time out.
    const running = node
    window.addEventListener('pagehide', () => void running.stop().catch(() => undefined), { once: true })
    document.body.dataset.state = 'running'
  } catch (err) {
    session?.stop()
    feed?.stop()
    panel?.dispose()
    // A node that started while something else failed must not stay on the network unseen.
    void joining?.then((node) => node.stop()).catch(() => undefined)
    showFatalError(step, err)
  }
}

/** The 3D view's canvas, added to the stage only once the bundle is verified. */
function createSceneCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas')
  canvas.id = 'scene'
  canvas.tabIndex = 0
  canvas.setAttribute('aria-label', '3D world view')
  ;(document.getElementById('stage') as HTMLElement).append(canvas)
  return canvas
}

/** A function that calls `load` the first time and returns that same promise ever after. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined
  return () => (loading ??= load())
}

void boot()
