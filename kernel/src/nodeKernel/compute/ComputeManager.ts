import { cpuKernelCodeHash, shaderCodeHash } from './cpuKernels.js'
import { ComputeTaskError, ComputeUnavailableError, UntrustedCodeError, fromComputeWorkerSchema } from './computeTask.js'
import { webGPU } from './webGPUComputeWorker.js'
import { ComputeServer } from './distributed/ComputeServer.js'
import { PeerScores } from './distributed/PeerScores.js'
import { runDistributed } from './distributed/runDistributed.js'
import type { PeerScore } from './distributed/PeerScores.js'
import type { Libp2p } from '@libp2p/interface'
import type { ComputeResult, ComputeTask, ToComputeWorker } from './computeTask.js'
import type { WorkerKind } from '../../platform/Platform.js'
import type { WorkerPort } from '../../platform/WorkerPort.js'
import type { Startable } from '@libp2p/interface'

export interface ComputeManagerInit {
  /** Look for a WebGPU adapter and accept 'webgpu' tasks. @default false */
  enableWebGPU?: boolean
  /** A task that has not answered after this long fails. @default 30000 */
  taskTimeoutMs?: number
}

export interface ComputeManagerComponents {
  spawnWorker(kind: Extract<WorkerKind, 'compute-cpu' | 'compute-webgpu'>): WorkerPort
  /** The node's libp2p, once started: serves chunks to peers and sends them chunks. @default none (local only) */
  libp2p?(): Libp2p | null
  /** Peers that may take chunks of this node's distributed tasks. @default every connected peer */
  computePeers?(): string[]
}

/** What this node can compute. */
export interface ComputeCapabilities {
  cpu: true
  webgpu: 'available' | 'no adapter' | 'disabled'
  /** The adapter is a software one (SwiftShader, a fallback adapter): WGSL runs, but slower than CPU workers. */
  webgpuSoftware: boolean
  /** Chunks this node runs at once for itself and its peers (one per compute worker). */
  slots: number
}

/**
 * Runs compute tasks in workers, and only code this node trusts: a shader or kernel whose SHA-256
 * a verified bundle listed (`trust`). A task with `distribute` is split into chunks spread over
 * this node and its peers (compute/distributed), whose results are spot-checked; peers' chunks
 * arrive over `/peercompute/compute/1.0.0` and pass the same trust check.
 */
export interface ComputeManager extends Startable {
  capabilities(): ComputeCapabilities
  /** Adds a code hash (lowercase hex SHA-256) from a verified bundle to the trusted set. */
  trust(sha256: string): void
  isTrusted(sha256: string): boolean
  /** Runs a task; throws UntrustedCodeError, ComputeUnavailableError, ComputeTaskError, ComputeDeadlineError or ComputeCancelledError. */
  submitTask(task: ComputeTask): Promise<ComputeResult>
  /** How far this node trusts each peer's results (spot checks). */
  peerScores(): Record<string, PeerScore>
}

interface Pending { resolve(r: ComputeResult): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout>; started: number; device: 'cpu' | 'webgpu' }

class DefaultComputeManager implements ComputeManager {
  private readonly trusted = new Set<string>()
  private readonly workers = new Map<'cpu' | 'webgpu', WorkerPort>()
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private probe: ((adapter: boolean) => void) | null = null
  private started = false
  private webgpu: ComputeCapabilities['webgpu'] = 'disabled'
  private webgpuSoftware = false
  private server: ComputeServer | null = null
  private readonly scores = new PeerScores()

  constructor(private readonly init: ComputeManagerInit, private readonly components: ComputeManagerComponents) {}

  isStarted(): boolean { return this.started }

  async start(): Promise<void> {
    if (this.init.enableWebGPU === true) {
      const gpu = webGPU()
      if (gpu == null) {
        this.webgpu = await this.probeWorker() ? 'available' : 'no adapter'
        // Node's `webgpu` package (Dawn) finds an adapter here only through SwiftShader's Vulkan driver.
        this.webgpuSoftware = /swiftshader/i.test((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.VK_ICD_FILENAMES ?? '')
      } else {
        const adapter = await gpu.requestAdapter().catch(() => null)
        this.webgpu = adapter != null ? 'available' : 'no adapter'
        this.webgpuSoftware = adapter != null && isSoftwareAdapter(adapter)
      }
    }
    const libp2p = this.components.libp2p?.() ?? null
    if (libp2p != null) {
      this.server = new ComputeServer({ libp2p, runLocal: (t) => this.runLocal(t), isTrusted: (h) => this.isTrusted(h), capabilities: () => this.capabilities(), cores: 1 })
      await this.server.start()
    }
    this.started = true
  }

  /** Asks a WebGPU worker whether it has an adapter (Node, where the main thread has no navigator.gpu). */
  private async probeWorker(): Promise<boolean> {
    let worker: WorkerPort
    try {
      worker = this.worker('webgpu')
    } catch {
      return false
    }
    const answer = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { resolve(false) }, 15_000)
      this.probe = (adapter) => { clearTimeout(timer); resolve(adapter) }
      worker.postMessage({ type: 'probe' })
    })
    this.probe = null
    return answer
  }

  peerScores(): Record<string, PeerScore> { return this.scores.all() }

  stop(): void {
    this.started = false
    void this.server?.stop().catch(() => {})
    this.server = null
    for (const worker of this.workers.values()) worker.terminate()
    this.workers.clear()
    for (const [id, p] of this.pending) this.settle(id, new ComputeUnavailableError('The node stopped before the task finished.'), p)
  }

  capabilities(): ComputeCapabilities {
    return { cpu: true, webgpu: this.webgpu, webgpuSoftware: this.webgpuSoftware, slots: 1 }
  }

  trust(sha256: string): void {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new TypeError('trust() takes a lowercase hex SHA-256 (64 characters).')
    this.trusted.add(sha256)
  }

  isTrusted(sha256: string): boolean {
    return this.trusted.has(sha256)
  }

  async submitTask(task: ComputeTask): Promise<ComputeResult> {
    if (!this.started) throw new ComputeUnavailableError('Start the node before submitting compute tasks.')
    const hash = task.type === 'cpu' ? await cpuKernelCodeHash(task.kernel) : await shaderCodeHash(task.shader)
    if (!this.trusted.has(hash)) {
      throw new UntrustedCodeError(`This ${task.type === 'cpu' ? `kernel (${task.kernel})` : 'shader'} is not listed by any verified bundle (sha256 ${hash}); only code from signed bundles runs.`)
    }
    if (task.type === 'webgpu' && this.webgpu !== 'available') {
      if (task.distribute == null) throw new ComputeUnavailableError(`WebGPU compute is unavailable on this node (${this.webgpu}); use a 'cpu' task or a browser with WebGPU.`)
      // No adapter here: peers with one take every chunk.
      task = { ...task, distribute: { ...task.distribute, local: false } }
    }
    if (task.distribute != null) {
      const libp2p = this.components.libp2p?.() ?? null
      const peers = this.components.computePeers ?? (() => [...new Set(libp2p?.getConnections().map((c) => c.remotePeer.toString()) ?? [])])
      return runDistributed({ ...task, distribute: task.distribute }, { libp2p, peers, runLocal: (t) => this.runLocal(t), scores: this.scores, localSlots: 1 })
    }
    return this.runLocal(task)
  }

  private runLocal(task: ComputeTask): Promise<ComputeResult> {
    let message: ToComputeWorker
    const id = this.nextId++
    if (task.type === 'cpu') {
      message = { type: 'run', id, task: { type: 'cpu', kernel: task.kernel, input: task.input } }
    } else {
      const [x, y = 1, z = 1] = typeof task.workgroups === 'number' ? [task.workgroups] : task.workgroups
      message = { type: 'run', id, task: { type: 'webgpu', shader: task.shader, entryPoint: task.entryPoint ?? 'main', input: task.input, outputLength: task.outputLength, workgroups: [x, y, z] } }
    }
    const device = task.type === 'cpu' ? 'cpu' : 'webgpu'
    const worker = this.worker(device)
    return new Promise<ComputeResult>((resolve, reject) => {
      const timeoutMs = this.init.taskTimeoutMs ?? 30_000
      const timer = setTimeout(() => {
        const p = this.pending.get(id)
        if (p != null) this.settle(id, new ComputeTaskError(`The ${device} task did not finish within ${timeoutMs} ms.`), p)
      }, timeoutMs)
      this.pending.set(id, { resolve, reject, timer, started: performance.now(), device })
      worker.postMessage(message)
    })
  }

  private worker(device: 'cpu' | 'webgpu'): WorkerPort {
    const existing = this.workers.get(device)
    if (existing != null) return existing
    const worker = this.components.spawnWorker(device === 'cpu' ? 'compute-cpu' : 'compute-webgpu')
    worker.onMessage((raw) => {
      const parsed = fromComputeWorkerSchema.safeParse(raw)
      if (!parsed.success) return
      if (parsed.data.type === 'probe') { this.probe?.(parsed.data.adapter); return }
      const p = this.pending.get(parsed.data.id)
      if (p == null) return
      if (parsed.data.type === 'result') this.settle(parsed.data.id, { output: parsed.data.output, device: p.device, ms: performance.now() - p.started }, p)
      else this.settle(parsed.data.id, new ComputeTaskError(`The ${p.device} task failed: ${parsed.data.message}`), p)
    })
    worker.onError((err) => {
      this.workers.delete(device)
      worker.terminate()
      for (const [id, p] of this.pending) {
        if (p.device === device) this.settle(id, new ComputeTaskError(`The ${device} compute worker crashed: ${err.message}`), p)
      }
    })
    this.workers.set(device, worker)
    return worker
  }

  private settle(id: number, outcome: ComputeResult | Error, p: Pending): void {
    this.pending.delete(id)
    clearTimeout(p.timer)
    if (outcome instanceof Error) p.reject(outcome)
    else p.resolve(outcome)
  }
}

/** Builds the ComputeManager: `computeManager(init)(components)`. */
export function computeManager(init: ComputeManagerInit = {}) {
  return (components: ComputeManagerComponents): ComputeManager => new DefaultComputeManager(init, components)
}

/** Whether a WebGPU adapter is a software one (a fallback adapter, or SwiftShader by name). */
function isSoftwareAdapter(adapter: { info?: { isFallbackAdapter?: boolean; architecture?: string; description?: string; vendor?: string }; isFallbackAdapter?: boolean }): boolean {
  const info = adapter.info
  return adapter.isFallbackAdapter === true || info?.isFallbackAdapter === true || /swiftshader/i.test(`${info?.architecture ?? ''} ${info?.description ?? ''} ${info?.vendor ?? ''}`)
}
