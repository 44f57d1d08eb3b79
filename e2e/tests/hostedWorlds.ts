import { execFile, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Page } from '@playwright/test'
import type { RootServer } from '@peercompute/root-server'
import { expect } from './fixtures.js'

/*
 * Publishing content worlds, hosting them headless with `peercompute host`, and joining them from
 * a page's world list: the steps every test of a hosted world takes first.
 */

/** The `peercompute` command line, and the content worlds it builds. */
export const BIN = fileURLToPath(new URL('../../world-sdk/bin/peercompute.js', import.meta.url))
export const WORLDS = fileURLToPath(new URL('../../content/worlds/', import.meta.url))
export const run = promisify(execFile)

/** The sub-world part of `getStatus()` these tests read. */
export interface Place { chain: string[]; hosting: { world: string } | null; parent: string | null; peerId: string | null; effectiveRules: unknown }

/** Where a page's node is among worlds. */
export function placeOf(page: Page): Promise<Place> {
  return page.evaluate(() => (window as unknown as { peercompute: { getStatus(): Place } }).peercompute.getStatus())
}

/** The root's URL as the command line reaches it (it binds 127.0.0.1; its certificate is self-signed). */
export const cliRoot = (root: RootServer): string => root.url.replace('//localhost:', '//127.0.0.1:').replace(/\/$/, '')

/** Builds and publishes content/worlds/<ids> with a fresh key, in a temp folder that is removed after. */
export async function publish(root: RootServer, ...ids: string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'peercompute-e2e-pub-'))
  try {
    const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { cwd: dir, timeout: 30_000 })
    await cli('keygen', '--out', 'author.jwk')
    for (const id of ids) {
      await cli('build', join(WORLDS, id), '--out', `${id}.pcb`)
      await cli('publish', `${id}.pcb`, '--root', cliRoot(root), '--key', 'author.jwk', '--insecure')
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Publishes content/worlds/<id> unless an earlier test of this root already did (another key owns it then). */
export async function publishOnce(root: RootServer, id: string): Promise<void> {
  try {
    await publish(root, id)
  } catch (err) {
    if (!String((err as Error).message).includes('belongs to another publisher key')) throw err
  }
}

/** A headless host: its process, the peerId it hosts as, and what it printed. */
export interface Host { child: ChildProcess; peerId: string; output(): string }

/** Starts `peercompute host <id>` headless and resolves once it announced itself. */
export async function startHost(root: RootServer, id: string): Promise<Host> {
  const child = spawn(process.execPath, [BIN, 'host', id, '--root', cliRoot(root), '--insecure', '--listen', '/ip4/127.0.0.1/tcp/0/ws'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const onData = (chunk: Buffer): void => { output += chunk.toString() }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  const peerId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The host did not start in 30 s:\n${output}`)), 30_000)
    const onAnnounce = (): void => {
      const hosting = /^Hosting .* as (\S+)$/m.exec(output)
      if (hosting === null) return
      clearTimeout(timer)
      child.stdout?.off('data', onAnnounce)
      child.stderr?.off('data', onAnnounce)
      resolve(hosting[1]!)
    }
    child.stdout?.on('data', onAnnounce)
    child.stderr?.on('data', onAnnounce)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`The host exited (${code}):\n${output}`))
    })
  })
  return { child, peerId, output: () => output }
}

/** Stops a host process and waits for it to exit. */
export async function stopHost(host: Host | null): Promise<void> {
  const child = host?.child
  if (child === undefined || child.exitCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

/** Where the page is in the world chain; a toast saying why a move failed ends the wait. */
export async function chainOf(page: Page): Promise<string[]> {
  const failed = await page.locator('#toasts .toast.bad').allTextContents()
  if (failed.length > 0) throw new Error(`The page says: ${failed.join(' / ')}`)
  return (await placeOf(page)).chain
}

/** Opens the world list, waits until it shows world `id` hosted, joins it and waits until the page is in it. */
export async function joinFromList(page: Page, id: string): Promise<void> {
  await page.keyboard.press('KeyL')
  const listed = page.getByTestId('worlds').locator(`li[data-world="${id}"]`)
  await expect.poll(async () => {
    // Closing and opening the panel loads the list again.
    await page.getByTestId('worlds-button').click()
    await page.getByTestId('worlds-button').click()
    return (await listed.textContent()) ?? ''
  }, { timeout: 30_000 }).toContain('1 host')
  await listed.getByRole('button', { name: 'Join' }).click()
  await expect.poll(async () => (await chainOf(page)).at(-1), { timeout: 30_000 }).toBe(id)
}
