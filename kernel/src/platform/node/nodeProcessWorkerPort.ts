import { fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { WorkerPort } from '../WorkerPort.js'

/** Where Debian's Chromium keeps its Vulkan loader and SwiftShader driver (notes/webgpu.md). */
const CHROMIUM_DIR = '/usr/lib/chromium'

/**
 * The environment a Dawn (`webgpu` package) process needs to find a Vulkan driver: an explicit
 * `VK_ICD_FILENAMES` wins; otherwise Chromium's SwiftShader, with Chromium's own libvulkan on the
 * library path (the system may have none). The loader reads these when the process starts, which
 * is why WebGPU work runs in a child process rather than a worker thread.
 */
export function vulkanEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.VK_ICD_FILENAMES != null || !existsSync(`${CHROMIUM_DIR}/vk_swiftshader_icd.json`)) return env
  return {
    ...env,
    VK_ICD_FILENAMES: `${CHROMIUM_DIR}/vk_swiftshader_icd.json`,
    LD_LIBRARY_PATH: [env.LD_LIBRARY_PATH, CHROMIUM_DIR].filter((p) => p != null && p !== '').join(':')
  }
}

/** Starts `file` in a child Node process (structured clone over IPC) behind a WorkerPort. */
export function nodeProcessWorkerPort(file: URL, env: NodeJS.ProcessEnv = vulkanEnv()): WorkerPort {
  const child = fork(file, [], { serialization: 'advanced', env, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] })
  let onError: (err: Error) => void = () => {}
  let stopped = false
  child.on('error', (err) => { onError(err) })
  child.on('exit', (code, sig) => {
    if (!stopped) onError(new Error(`The worker process ${file.pathname} exited (${code ?? sig}).`))
  })
  return {
    postMessage: (msg) => { if (child.connected) child.send(msg as object) },
    onMessage: (cb) => {
      child.removeAllListeners('message')
      child.on('message', cb)
    },
    onError: (cb) => { onError = cb },
    terminate: () => {
      stopped = true
      onError = () => {}
      child.kill()
    }
  }
}
