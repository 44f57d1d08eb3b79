import type { Mesh } from '@babylonjs/core/Meshes/mesh.js'
import { CreateCapsule } from '@babylonjs/core/Meshes/Builders/capsuleBuilder.js'
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js'
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js'
import { Color3 } from '@babylonjs/core/Maths/math.color.js'
import { Matrix } from '@babylonjs/core/Maths/math.vector.js'
import type { Scene } from '@babylonjs/core/scene.js'

/** Capsule height, metres, as the kernel's character controller uses (feet to top of the head). */
export const AVATAR_HEIGHT = 1.8
/** Capsule radius, metres. */
export const AVATAR_RADIUS = 0.35

/**
 * An avatar: a capsule whose origin is at the feet (the kernel reports feet positions), with a
 * dark visor on the +Z side so others can see where it faces.
 */
export function createAvatarMesh(scene: Scene, name: string, color: Color3): Mesh {
  const body = CreateCapsule(name, { height: AVATAR_HEIGHT, radius: AVATAR_RADIUS, tessellation: 16, subdivisions: 4 }, scene)
  body.bakeTransformIntoVertices(Matrix.Translation(0, AVATAR_HEIGHT / 2, 0))
  const material = new StandardMaterial(`${name}-skin`, scene)
  material.diffuseColor = color
  material.specularColor = new Color3(0.2, 0.2, 0.2)
  body.material = material
  const visor = CreateBox(`${name}-visor`, { width: 0.42, height: 0.14, depth: 0.12 }, scene)
  visor.position.set(0, AVATAR_HEIGHT - 0.32, AVATAR_RADIUS - 0.02)
  const visorMaterial = new StandardMaterial(`${name}-visor`, scene)
  visorMaterial.diffuseColor = new Color3(0.08, 0.09, 0.12)
  visorMaterial.specularColor = new Color3(0.6, 0.6, 0.6)
  visor.material = visorMaterial
  visor.parent = body
  body.isPickable = false
  visor.isPickable = false
  return body
}

/** A stable, pleasant colour per player id, so the same player looks the same to everyone. */
export function avatarColor(id: string): Color3 {
  let h = 2166136261
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619)
  const hue = ((h >>> 0) % 360) / 360
  return Color3.FromHSV(hue * 360, 0.55, 0.9)
}
