/**
 * The PeerCompute browser app. Boot order (docs/ARCHITECTURE.md, "Client ↔ kernel"):
 * name → root description → signed overworld bundle verified file by file → renderer (WebGPU
 * after a test frame, else WebGL2) → node started and world entered → play. Any failure before
 * play shows a full-screen error and stops; nothing from an unverified bundle ever runs.
 */
import { resolvePlayerName } from './boot/namePrompt.js'
import { showFatalError } from './boot/errorPanel.js'
import { initLoro } from './boot/initLoro.js'
import { LoadingScreen } from './boot/loadingScreen.js'
import { parseUrlOptions } from './boot/urlOptions.js'
import { loadWellKnown } from './bundle/wellKnown.js'
import { loadWorldBundle } from './bundle/loadWorldBundle.js'

/** Blobs are content-addressed and immutable, so the HTTP cache may serve them; the rest is revalidated. */
const fetchFromPage = (url: string, init?: { signal?: AbortSignal }): Promise<Response> =>
  fetch(url, { ...init, credentials: 'same-origin', cache: url.startsWith('/blobs/') ? 'default' : 'no-cache' })

async function boot(): Promise<void> {
  const options = parseUrlOptions(location.search)
  const loading = new LoadingScreen()
  // Loro's wasm, Babylon and libp2p download while the player types a name and the bundle
  // verifies; the first chunk holds only what shows progress and checks the bundle.
  const loro = initLoro()
  const renderCode = import('./render/createRenderEngine.js')
  const nodeCode = Promise.all([import('./node/startNode.js'), import('./node/kernelView.js'), import('./session/playSession.js')])
  for (const pending of [loro, renderCode, nodeCode]) pending.catch(() => undefined)

  loading.step('Choose a name', 0)
  const name = await resolvePlayerName(options.name)

  let step = 'load the world'
  try {
    loading.step('Contacting the root…', 0)
    const wellKnown = await loadWellKnown(fetchFromPage)
    loading.step(`Downloading and verifying “${wellKnown.overworld}”…`, 0)
    const bundle = await loadWorldBundle({
      worldId: wellKnown.overworld,
      rootKey: wellKnown.rootKey,
      fetch: fetchFromPage,
      onProgress: ({ loaded, total }) => loading.bytes(loaded, total),
    })

    step = 'start the renderer'
    loading.step('Starting the renderer…', 1)
    loading.note(`${bundle.manifest.name} ${bundle.manifest.version} · signature and ${bundle.manifest.files.length} files verified`)
    const canvas = createSceneCanvas()
    const { createRenderEngine } = await renderCode
    const render = await createRenderEngine(canvas, options.renderer)
    console.info(`[peercompute] renderer: ${render.renderer} (${render.reason})`)

    step = 'join the network'
    loading.step('Joining the network…')
    await loro
    const [{ loadedWorld, startNode }, { kernelView }, { startPlaySession }] = await nodeCode
    const node = await startNode({ name, wellKnown, worldId: bundle.manifest.id })

    step = 'start physics'
    loading.step('Starting physics…')
    const world = loadedWorld(bundle)
    await node.kernel.enterWorld(world)

    step = 'start the world'
    startPlaySession({
      engine: render.engine,
      renderer: render.renderer,
      canvas: render.canvas,
      kernel: kernelView(node),
      worldName: world.name,
      definition: world.definition,
      heights: world.heights,
      chatMaxLength: bundle.rules.chat.maxLength,
    })
    window.peercompute = node
    // Leaving the page says goodbye on the network instead of letting presence time out.
    window.addEventListener('pagehide', () => void node.stop().catch(() => undefined), { once: true })
    document.body.dataset.state = 'running'
    document.body.dataset.renderer = render.renderer
    loading.hide()
    render.canvas.focus()
  } catch (err) {
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

void boot()
