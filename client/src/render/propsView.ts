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

/** The world's props as meshes, posed from the physics worker's frames. */
export class PropsView {
  private readonly meshes: Mesh[] = []

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
  }

  /** Applies one physics frame (7 floats per prop, definition order); ignores a frame of the wrong length. */
  update(frame: Float32Array | null): void {
    if (frame === null || frame.length !== this.meshes.length * PROP_STRIDE) return
    this.meshes.forEach((mesh, i) => {
      const o = i * PROP_STRIDE
      mesh.position.set(frame[o] as number, frame[o + 1] as number, frame[o + 2] as number)
      ;(mesh.rotationQuaternion as Quaternion).set(frame[o + 3] as number, frame[o + 4] as number, frame[o + 5] as number, frame[o + 6] as number)
    })
  }
}
