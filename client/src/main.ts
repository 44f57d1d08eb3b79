/**
 * The PeerCompute browser app. Boot order (docs/ARCHITECTURE.md, "Client ↔ kernel"):
 * name → root description → signed overworld bundle verified file by file → not older than the
 * version this browser ran before → the world drawn (renderer: WebGPU after a test frame, else
 * WebGL2), the avatar at its spawn → the node (Loro, libp2p, Havok) started and bound to the
 * running session. Any failure shows a full-screen error and stops; nothing from an unverified
 * or rolled-back bundle ever runs, and no canvas or node exists for one.
 */
import type { PeerComputeNode } from '@peercompute/kernel'
import { markBoot } from './boot/bootMarks.js'
import { resolvePlayerName } from './boot/namePrompt.js'
import { showFatalError } from './boot/errorPanel.js'
import { LoadingScreen } from './boot/loadingScreen.js'
import { parseUrlOptions } from './boot/urlOptions.js'
import { loadWellKnown } from './bundle/wellKnown.js'
import { loadWorldBundle } from './bundle/loadWorldBundle.js'
import { guardAgainstRollback } from './bundle/rollbackGuard.js'
import { indexedDbVersionMemory } from './bundle/versionMemory.js'
import type { PlaySession } from './session/playSession.js'
import { Toasts } from './hud/toast.js'
import { WorldBrowser } from './worlds/worldBrowser.js'
import { loadWorldList } from './worlds/worldList.js'

/** Blobs are content-addressed and immutable, so the HTTP cache may serve them; the rest is revalidated. */
const fetchFromPage = (url: string, init?: { signal?: AbortSignal }): Promise<Response> =>
  fetch(url, { ...init, credentials: 'same-origin', cache: url.startsWith('/blobs/') ? 'default' : 'no-cache' })

/** When no frame comes (a hidden tab draws none), the node starts this long after drawing began. */
const HIDDEN_TAB_START_MS = 500

async function boot(): Promise<void> {
  markBoot('boot')
  const options = parseUrlOptions(location.search)
  const loading = new LoadingScreen()
  const versions = indexedDbVersionMemory()
  // The renderer's code downloads beside this first chunk (index.html preloads it) and runs once
  // the bundle's files are requested, so that running it overlaps their download.
  const showCode = once(() => import('./session/showWorld.js'))

  loading.step('Choose a name', 0)
  const name = await resolvePlayerName(options.name)

  let step = 'load the world'
  const setStep = (next: string): void => {
    step = next
  }
  let session: PlaySession | null = null
  let worlds: WorldBrowser | null = null
  let travel: { dispose(): void } | null = null
  let joining: Promise<PeerComputeNode> | null = null
  /** Stops everything this boot started and shows why. */
  const fail = (failedStep: string, err: unknown): void => {
    try {
      travel?.dispose()
      session?.stop()
      worlds?.dispose()
    } catch (cleanup) {
      console.error('[peercompute] cleaning up after a failure failed:', cleanup)
    }
    // A node that started while something else failed must not stay on the network unseen.
    void joining?.then((node) => node.stop()).catch(() => undefined)
    showFatalError(failedStep, err)
  }
  // Until the node runs, a frame that throws fails the boot; afterwards it fails the page.
  let drawFailed: (err: unknown) => void = () => undefined
  const drawing = new Promise<never>((_, reject) => {
    drawFailed = reject
  })
  drawing.catch(() => undefined)
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
      onFilesRequested: () => void showCode().catch(() => undefined),
    })
    step = 'check the world version'
    await guardAgainstRollback(versions, bundle.manifest)
    markBoot('bundle-verified')

    // Verified and not a rollback: the world may run. It is drawn first; Loro, the node and
    // physics start once it is on screen (started beside it, they slowed its first frame by
    // half on a machine of 2 cores, see client/README.md).
    loading.step('Starting the renderer…', 1)
    loading.note(`${bundle.manifest.name} ${bundle.manifest.version} · signature and ${bundle.manifest.files.length} files verified`)
    const { showWorld } = await showCode()
    let drawn: () => void = () => undefined
    // The node starts at the first frame, or soon after drawing began where no frame comes (a hidden tab).
    const firstFrame = new Promise<void>((resolve) => {
      drawn = resolve
    })
    const shown = await showWorld({
      bundle,
      request: options.renderer,
      onStep: setStep,
      onFirstFrame: () => {
        loading.hide()
        drawn()
      },
      onDrawError: (err) => drawFailed(err),
    })
    setTimeout(drawn, HIDDEN_TAB_START_MS)
    session = shown.session
    console.info(`[peercompute] renderer: ${shown.renderer} (${shown.reason})`)
    document.body.dataset.renderer = shown.renderer
    shown.canvas.focus()

    const joined = firstFrame.then(() => import('./node/joinWorld.js')).then(({ joinWorld }) => joinWorld({ name, wellKnown, world: shown.world, onStep: setStep }))
    joining = joined.then(({ node }) => node)
    joining.catch(() => undefined)
    worlds = new WorldBrowser(document.body, shown.world.id, () => loadWorldList(fetchFromPage))

    const { node, view, source } = await Promise.race([joined, drawing.catch((err: unknown) => {
      step = 'draw the world'
      throw err
    })])
    worlds.bind(node.kernel)
    session.attach(view)
    const { WorldTravel } = await import('./worlds/worldTravel.js')
    travel = new WorldTravel({
      node, view, source, world: shown.world, session, browser: worlds, toasts: new Toasts(document.body), parent: document.body,
      showAnother: shown.showAnother,
      onSession: (next) => {
        session = next
      },
    })
    window.peercompute = node
    // Leaving the page says goodbye on the network instead of letting presence time out.
    window.addEventListener('pagehide', () => void node.stop().catch(() => undefined), { once: true })
    document.body.dataset.state = 'running'
    drawFailed = (err) => fail('draw the world', err)
  } catch (err) {
    fail(step, err)
  }
}

/** A function that calls `load` the first time and returns that same promise ever after. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined
  return () => (loading ??= load())
}

void boot()
