import type { NodeStatus, PeerComputeNode } from '@peercompute/kernel'
import type { ChatLine } from '../hud/chatBox.js'
import type { MovementIntent } from '../input/playerControls.js'
import type { Renderer } from '../render/engineChoice.js'
import type { RemotePresence } from '../render/remoteAvatars.js'

/** The local avatar as physics last stepped it; `position` is the feet. */
export interface AvatarView {
  position: [number, number, number]
  yaw: number
}

/**
 * Everything the play session reads from and sends to the node, in one narrow seam: the session
 * never reaches into the kernel's managers itself (ARCHITECTURE.md, "Client ↔ kernel").
 */
export interface KernelView {
  selfId(): string
  status(): NodeStatus
  avatar(): AvatarView | null
  /**
   * The props' poses, 7 floats each in definition order: the node's physics frame (in a hosted
   * world it follows the host's poses, or on the host makes them), else the host's latest poses.
   */
  props(): Float32Array | null
  /** Texts the world's script shows (entities with a `text` in their data, e.g. a scoreboard), at most 8. */
  worldTexts(): string[]
  /** Remote players' latest presence samples (send time `t`, on the sender's clock). */
  remotePlayers(): RemotePresence[]
  /** Hands this frame's movement and look to the kernel's InputManager (it forwards changes to physics). */
  setMovement(intent: MovementIntent, pitch: number): void
  chatLines(): ChatLine[]
  /** Calls `cb` whenever a chat line arrives or is sent; returns the unsubscribe function. */
  onChat(cb: () => void): () => void
  /** Sends a chat line; throws the kernel's ChatRejectedError with a message for the player. */
  sendChat(text: string): void
  reportRender(report: { renderer: Renderer; fps: number }): void
}

/** The KernelView of a started browser node. */
export function kernelView(node: PeerComputeNode): KernelView {
  const { kernel } = node
  const worldTexts = worldTextReader()
  return {
    selfId: () => node.getStatus().peerId ?? '',
    status: () => node.getStatus(),
    avatar: () => kernel.physics?.avatar() ?? null,
    props: () => kernel.physics?.props() ?? kernel.subWorlds.propPoses(),
    worldTexts: () => worldTexts(kernel.state.world()),
    remotePlayers: () =>
      kernel.state.presence
        .players()
        .filter((player) => !player.self)
        .map((player) => ({ peerId: player.peerId, name: player.name, t: player.time, p: player.position, yaw: player.yaw, v: player.velocity, receivedAt: player.receivedAt })),
    setMovement: (intent, pitch) => {
      const { input } = kernel
      input.setAxis('moveForward', intent.forward)
      input.setAxis('moveRight', intent.right)
      input.setLook(intent.yaw, pitch)
      if (intent.jump) input.press('jump')
      else input.release('jump')
      if (intent.run) input.press('run')
      else input.release('run')
    },
    chatLines: () => kernel.state.chat.messages(),
    onChat: (cb) => {
      const listener = (): void => cb()
      kernel.addEventListener('chat:message', listener)
      return () => kernel.removeEventListener('chat:message', listener)
    },
    sendChat: (text) => {
      kernel.state.chat.send(text)
    },
    reportRender: (report) => kernel.reportRender(report),
  }
}

/** Most texts, and characters of each, the board shows: a script cannot fill the screen. */
const MAX_TEXTS = 8
const MAX_TEXT_LENGTH = 120

type WorldReader = ReturnType<PeerComputeNode['kernel']['state']['world']>

/** Reads the `data.text` of the world's entities, again only when the document changed (entities() is O(entities)). */
function worldTextReader(): (world: WorldReader) => string[] {
  let key = ''
  let texts: string[] = []
  return (world) => {
    if (world === null) return []
    const version = `${world.id} ${world.version()}`
    if (version === key) return texts
    key = version
    texts = []
    for (const entity of world.entities()) {
      const text = entity.data?.['text']
      if (typeof text === 'string' && text.trim() !== '') texts.push(text.slice(0, MAX_TEXT_LENGTH))
      if (texts.length === MAX_TEXTS) break
    }
    return texts
  }
}
