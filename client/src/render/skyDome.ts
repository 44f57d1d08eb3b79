import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder.js'
import { Mesh } from '@babylonjs/core/Meshes/mesh.js'
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer.js'
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js'
import { Color3 } from '@babylonjs/core/Maths/math.color.js'
import type { Scene } from '@babylonjs/core/scene.js'

/**
 * A sky that fades from the fog colour at the horizon to a deeper tint of the world's sky colour
 * overhead: a large inside-out sphere with vertex colours, unlit, unfogged, and centred on the
 * camera each frame so it never comes closer.
 */
export function createSkyDome(scene: Scene, sky: Color3, horizon: Color3, radius = 900): Mesh {
  const dome = CreateSphere('sky', { diameter: radius * 2, segments: 24, sideOrientation: Mesh.BACKSIDE }, scene)
  const positions = dome.getVerticesData(VertexBuffer.PositionKind) ?? []
  const zenith = sky.scale(0.78)
  const colors = new Float32Array((positions.length / 3) * 4)
  for (let i = 0; i < positions.length / 3; i++) {
    const up = Math.max(0, (positions[i * 3 + 1] ?? 0) / radius)
    const k = Math.pow(up, 0.55)
    const c = Color3.Lerp(Color3.Lerp(horizon, sky, Math.min(1, up * 4)), zenith, k)
    colors.set([c.r, c.g, c.b, 1], i * 4)
  }
  dome.setVerticesData(VertexBuffer.ColorKind, colors)
  const material = new StandardMaterial('sky', scene)
  material.disableLighting = true
  material.emissiveColor = Color3.White()
  material.diffuseColor = Color3.Black()
  material.specularColor = Color3.Black()
  material.fogEnabled = false
  material.backFaceCulling = false
  dome.material = material
  dome.infiniteDistance = true
  dome.isPickable = false
  dome.applyFog = false
  return dome
}
