import type { Mesh } from '@babylonjs/core/Meshes/mesh.js'
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js'
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder.js'
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js'
import { Color3 } from '@babylonjs/core/Maths/math.color.js'
import { Quaternion } from '@babylonjs/core/Maths/math.vector.js'
import type { WorldDefinition } from '@peercompute/world-sdk'
import type { WorldScene } from './worldScene.js'

/** Floats per prop in the physics frame: x, y, z, qx, qy, qz, qw. */
export const PROP_STRIDE = 7
/** A prop that moves further than this between two frames jumped (a script put it back): drawn there at once. */
const JUMP_M = 2
/** Longest gap between frames that is still blended over, ms; after a stall the newest frame is drawn as is. */
const MAX_BLEND_MS = 100

/**
 * Draws props between the two latest physics frames, one frame interval behind, so they glide at
 * any screen rate and through a worker's uneven frame timing (Hyperfy's lerp over its receive
 * rate). The poses are the world host's: a member's physics follows them, a host's makes them.
 */
export class PropPoseSmoother {
  private previous: Float32Array | null = null
  private current: Float32Array | null = null
  private receivedAt = 0
  private interval = 1000 / 60
  private readonly out: Float32Array

  constructor(private readonly count: number) {
    this.out = new Float32Array(count * PROP_STRIDE)
  }

  /**
   * Takes the latest frame (the same array again is no new frame; one of the wrong length is
   * ignored) and returns the poses to draw at `now` (ms), or null before the first frame.
   */
  sample(frame: Float32Array | null, now: number): Float32Array | null {
    if (frame !== null && frame !== this.current && frame.length === this.count * PROP_STRIDE) {
      if (this.current !== null) this.interval = Math.min(MAX_BLEND_MS, Math.max(1, now - this.receivedAt))
      this.previous = this.current
      this.current = frame
      this.receivedAt = now
    }
    const current = this.current
    if (current === null) return null
    const previous = this.previous
    if (previous === null) return current
    const t = Math.min(1, (now - this.receivedAt) / this.interval)
    for (let i = 0; i < this.count; i++) blendProp(previous, current, i * PROP_STRIDE, t, this.out)
    return this.out
  }
}

/** One prop between two frames: linear position, normalised-linear rotation the short way; a jump is not blended. */
function blendProp(a: Float32Array, b: Float32Array, o: number, t: number, out: Float32Array): void {
  const at = (f: Float32Array, k: number): number => f[o + k] as number
  const jumped = Math.hypot(at(b, 0) - at(a, 0), at(b, 1) - at(a, 1), at(b, 2) - at(a, 2)) > JUMP_M
  const s = jumped ? 1 : t
  for (let k = 0; k < 3; k++) out[o + k] = at(a, k) + (at(b, k) - at(a, k)) * s
  let dot = 0
  for (let k = 3; k < PROP_STRIDE; k++) dot += at(a, k) * at(b, k)
  const sign = dot < 0 ? -1 : 1
  let length = 0
  for (let k = 3; k < PROP_STRIDE; k++) {
    const q = at(a, k) + (sign * at(b, k) - at(a, k)) * s
    out[o + k] = q
    length += q * q
  }
  const scale = length > 0 ? 1 / Math.sqrt(length) : 1
  for (let k = 3; k < PROP_STRIDE; k++) out[o + k] = (out[o + k] as number) * scale
}

/** The world's props as meshes, posed from the physics worker's frames (the world host's poses, smoothed). */
export class PropsView {
  private readonly meshes: Mesh[] = []
  private readonly smoother: PropPoseSmoother

  constructor(world: WorldScene, props: WorldDefinition['props']) {
    const materials = new Map<string, StandardMaterial>()
    for (const prop of props) {
      let material = materials.get(prop.color)
      if (material === undefined) {
        material = new StandardMaterial(`prop-${prop.color}`, world.scene)
        material.diffuseColor = Color3.FromHexString(prop.color)
        material.specularColor = new Color3(0.15, 0.15, 0.15)
        materials.set(prop.color, material)
      }
      const [sx, sy, sz] = prop.size
      const mesh =
        prop.shape === 'box'
          ? CreateBox(`prop-${prop.id}`, { width: sx, height: sy, depth: sz }, world.scene)
          : CreateSphere(`prop-${prop.id}`, { diameterX: sx, diameterY: sy, diameterZ: sz, segments: 16 }, world.scene)
      mesh.material = material
      mesh.position.set(...prop.position)
      mesh.rotationQuaternion = Quaternion.Identity()
      mesh.receiveShadows = true
      mesh.isPickable = false
      world.shadows.addShadowCaster(mesh)
      this.meshes.push(mesh)
    }
    this.smoother = new PropPoseSmoother(props.length)
  }

  /** Poses the props for a frame drawn at `now` (ms) from the latest physics frame (7 floats per prop, definition order). */
  update(frame: Float32Array | null, now: number): void {
    const poses = this.smoother.sample(frame, now)
    if (poses === null) return
    this.meshes.forEach((mesh, i) => {
      const o = i * PROP_STRIDE
      mesh.position.set(poses[o] as number, poses[o + 1] as number, poses[o + 2] as number)
      ;(mesh.rotationQuaternion as Quaternion).set(poses[o + 3] as number, poses[o + 4] as number, poses[o + 5] as number, poses[o + 6] as number)
    })
  }
}
