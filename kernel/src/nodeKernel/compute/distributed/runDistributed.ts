import { ComputeCancelledError, ComputeDeadlineError, ComputeTaskError, ComputeUnavailableError } from '../computeTask.js'
import { planChunks, taskOfChunk } from './chunkPlan.js'
import { askCapabilities, runRemoteChunk } from './remoteChunk.js'
import type { Chunk } from './chunkPlan.js'
import type { PeerScores } from './PeerScores.js'
import type { ComputeArray, ComputeResult, ComputeTask, TaskDistribution } from '../computeTask.js'
import type { Libp2p } from '@libp2p/interface'

/** What spreading a task needs from its node. */
export interface DistributedContext {
  libp2p: Libp2p | null
  /** Peers that may take chunks (connected, in this node's topology). */
  peers(): string[]
  runLocal(task: ComputeTask): Promise<ComputeResult>
  scores: PeerScores
  /** Chunks this node runs at once. */
  localSlots: number
}

interface Executor { id: string; local: boolean; slots: number; busy: number; out: boolean }

/**
 * Runs a task split into chunks over this node and its peers: chunks go to whoever has a free slot
 * (slots = advertised capacity less current load), results are gathered in order. A peer that
 * fails or stalls has its chunk given to another (the first answer wins); a sampled share of
 * remote chunks runs again elsewhere and a mismatch rejects everything that peer computed.
 */
export async function runDistributed(task: ComputeTask & { distribute: TaskDistribution }, ctx: DistributedContext): Promise<ComputeResult> {
  const started = performance.now()
  const d = task.distribute
  const plan = await planChunks(task)
  const controller = new AbortController()
  const signal = AbortSignal.any([controller.signal, ...(d.signal == null ? [] : [d.signal])])
  const self = ctx.libp2p?.peerId.toString() ?? 'local'
  const executors: Executor[] = d.local === false ? [] : [{ id: self, local: true, slots: ctx.localSlots, busy: 0, out: false }]
  const libp2p = ctx.libp2p
  if (libp2p != null) {
    const offers = await Promise.allSettled(ctx.peers().filter((p) => ctx.scores.usable(p))
      .map((p) => askCapabilities(libp2p, p, plan.hash, AbortSignal.any([signal, AbortSignal.timeout(3000)]))))
    for (const o of offers) {
      if (o.status !== 'fulfilled' || !o.value.trusted || (task.type === 'webgpu' && !o.value.webgpu)) continue
      executors.push({ id: o.value.peerId, local: false, slots: Math.max(1, o.value.cores - o.value.load), busy: 0, out: false })
    }
  }
  if (executors.length === 0) throw new ComputeUnavailableError('No node can take this task: no peer offered to run it and local work was turned off.')

  const results: Array<ComputeArray | null> = plan.chunks.map(() => null)
  const owner = new Map<number, string>()
  const byPeer: Record<string, number> = {}
  const queue = plan.chunks.map((c) => c.index)
  const inFlight = new Map<number, number>()
  const stats = { verified: 0, rejected: 0, reassigned: 0, checking: 0 }

  return await new Promise<ComputeResult>((resolve, reject) => {
    let settled = false
    const timers = new Set<ReturnType<typeof setTimeout>>()
    const finish = (outcome: ComputeResult | Error): void => {
      if (settled) return
      settled = true
      for (const t of timers) clearTimeout(t)
      d.signal?.removeEventListener('abort', onCancel)
      controller.abort()
      if (outcome instanceof Error) reject(outcome)
      else resolve(outcome)
    }
    const onCancel = (): void => { finish(new ComputeCancelledError('The task was cancelled.')) }
    if (d.signal?.aborted === true) { onCancel(); return }
    d.signal?.addEventListener('abort', onCancel)
    const deadlineMs = d.deadlineMs ?? 60_000
    timers.add(setTimeout(() => { finish(new ComputeDeadlineError(`The task did not finish within its deadline of ${deadlineMs} ms; allow more time or use smaller chunks.`)) }, deadlineMs))

    const execute = (ex: Executor, chunk: Chunk): Promise<ComputeArray> => ex.local
      ? ctx.runLocal(taskOfChunk(chunk.code, chunk.input)).then((r) => r.output)
      : runRemoteChunk(libp2p as Libp2p, ex.id, chunk.code, chunk.input, chunk.outputLength, signal)

    const requeue = (index: number): void => {
      if (results[index] == null && !queue.includes(index) && (inFlight.get(index) ?? 0) === 0) queue.unshift(index)
    }

    const reject_ = (ex: Executor): void => {
      ex.out = true
      ctx.scores.mismatched(ex.id)
      for (const [index, who] of owner) {
        if (who !== ex.id) continue
        owner.delete(index)
        results[index] = null
        byPeer[ex.id] = (byPeer[ex.id] ?? 1) - 1
        stats.rejected++
        requeue(index)
      }
    }

    const verify = (chunk: Chunk, first: ComputeArray, ex: Executor): void => {
      const checkers = executors.filter((e) => e !== ex && !e.out).sort((a, b) => Number(b.local) - Number(a.local))
      const checker = checkers[0]
      if (checker == null) return
      stats.checking++
      const arbiter = checkers.find((e) => e.local && e !== checker) ?? checkers[1]
      void (async () => {
        const second = await execute(checker, chunk)
        if (sameBytes(first, second)) { stats.verified++; ctx.scores.matched(ex.id); return }
        // Trust only what this node computed itself, or two peers agreeing against a third.
        const third = checker.local || arbiter == null ? second : await execute(arbiter, chunk)
        if (sameBytes(second, third)) reject_(ex)
        else if (sameBytes(first, third)) reject_(checker)
        else reject_(ex)
      })().catch(() => { /* the checker failed: the chunk stays unchecked but the check is not trusted either */ requeueIfUnchecked(chunk.index, ex) })
        .finally(() => { stats.checking--; pump() })
    }
    const requeueIfUnchecked = (index: number, ex: Executor): void => {
      if (owner.get(index) !== ex.id || ex.local) return
      owner.delete(index); results[index] = null; byPeer[ex.id] = (byPeer[ex.id] ?? 1) - 1; requeue(index)
    }

    const run = (ex: Executor, chunk: Chunk): void => {
      ex.busy++
      inFlight.set(chunk.index, (inFlight.get(chunk.index) ?? 0) + 1)
      let stalled = false
      const stallTimer = ex.local ? null : setTimeout(() => {
        // No answer in time: this peer gets no more chunks, and its chunk goes to another.
        stalled = true
        ex.out = true
        inFlight.set(chunk.index, (inFlight.get(chunk.index) ?? 1) - 1)
        stats.reassigned++
        requeue(chunk.index)
        pump()
      }, d.stallMs ?? 10_000)
      if (stallTimer != null) timers.add(stallTimer)
      execute(ex, chunk).then((output) => {
        if (settled || results[chunk.index] != null || ex.out) return
        results[chunk.index] = output
        owner.set(chunk.index, ex.id)
        byPeer[ex.id] = (byPeer[ex.id] ?? 0) + 1
        if (!ex.local && (d.verify ?? 0) > 0 && Math.random() < (d.verify ?? 0)) verify(chunk, output, ex)
      }, (err: unknown) => {
        if (settled) return
        if (ex.local) { finish(err instanceof Error ? err : new ComputeTaskError(String(err))); return }
        // The peer left, refused or failed: it gets no more chunks of this task.
        ex.out = true
        if (!stalled) stats.reassigned++
      }).finally(() => {
        if (stallTimer != null) { clearTimeout(stallTimer); timers.delete(stallTimer) }
        ex.busy--
        if (!stalled) inFlight.set(chunk.index, (inFlight.get(chunk.index) ?? 1) - 1)
        requeue(chunk.index)
        pump()
      })
    }

    const pump = (): void => {
      if (settled) return
      while (queue.length > 0) {
        // This node's workers get one chunk more than they run at once: it waits in the worker's
        // queue, so a worker never idles while its last result travels back and the next is posted.
        const free = executors.filter((e) => !e.out && e.busy < e.slots + (e.local ? 1 : 0))
        if (free.length === 0) break
        // The executor with the most free capacity; this node last among equals, so peers get work.
        free.sort((a, b) => (b.slots - b.busy) - (a.slots - a.busy) || Number(a.local) - Number(b.local))
        const index = queue.shift() as number
        run(free[0] as Executor, plan.chunks[index] as Chunk)
      }
      if (queue.length === 0 && stats.checking === 0 && results.every((r) => r != null)) {
        finish({ output: assemble(task.input, plan.outputLength, plan.chunks, results as ComputeArray[]), device: task.type === 'cpu' ? 'cpu' : 'webgpu', ms: performance.now() - started,
          chunks: { total: plan.chunks.length, byPeer, verified: stats.verified, rejected: stats.rejected, reassigned: stats.reassigned } })
        return
      }
      if (queue.length > 0 && executors.every((e) => e.out) && [...inFlight.values()].every((n) => n <= 0)) {
        finish(new ComputeUnavailableError('Every peer failed, stalled or was rejected, and local work was turned off; the task cannot finish.'))
      }
    }
    pump()
  })
}

function sameBytes(a: ComputeArray, b: ComputeArray): boolean {
  if (a.byteLength !== b.byteLength) return false
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}

function assemble(input: ComputeArray, length: number, chunks: Chunk[], results: ComputeArray[]): ComputeArray {
  const out = input instanceof Float32Array ? new Float32Array(length) : new Uint32Array(length)
  chunks.forEach((c, i) => { out.set(results[i] as ArrayLike<number>, c.outputOffset) })
  return out
}
