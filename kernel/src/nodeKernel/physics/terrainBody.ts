import { Mesh } from '@babylonjs/core/Meshes/mesh.js'
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData.js'
import { PhysicsBody } from '@babylonjs/core/Physics/v2/physicsBody.js'
import { PhysicsShapeMesh } from '@babylonjs/core/Physics/v2/physicsShape.js'
import { PhysicsMotionType } from '@babylonjs/core/Physics/v2/IPhysicsEnginePlugin.js'
import type { Scene } from '@babylonjs/core/scene.js'
import type { PhysicsWorld } from './physicsMessages.js'

type Terrain = PhysicsWorld['definition']['terrain']

/**
 * The terrain's vertex positions: the square `size` centred on the origin, `resolution` vertices
 * per side, heights row-major with z rows (row 0 at z = -size/2) and x columns (col 0 at x = -size/2),
 * the layout of world-sdk's generateHeightfield.
 */
export function terrainPositions (terrain: Terrain, heights: Float32Array): Float32Array {
  const { size, resolution: n } = terrain
  const spacing = size / (n - 1)
  const positions = new Float32Array(n * n * 3)
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      const i = row * n + col
      positions[i * 3] = -size / 2 + col * spacing
      positions[i * 3 + 1] = heights[i] ?? 0
      positions[i * 3 + 2] = -size / 2 + row * spacing
    }
  }
  return positions
}

/** Two triangles per grid cell, wound so their faces point up in Babylon's left-handed frame. */
export function terrainIndices (resolution: number): Uint32Array {
  const n = resolution
  const indices = new Uint32Array((n - 1) * (n - 1) * 6)
  let k = 0
  for (let row = 0; row < n - 1; row++) {
    for (let col = 0; col < n - 1; col++) {
      const a = row * n + col
      const b = a + 1
      const c = a + n
      const d = c + 1
      indices.set([b, d, c, a, b, c], k)
      k += 6
    }
  }
  return indices
}

/** Builds the terrain as a static body with a triangle-mesh shape; returns its mesh (never rendered). */
export function createTerrainBody (scene: Scene, terrain: Terrain, heights: Float32Array): Mesh {
  const mesh = new Mesh('terrain', scene)
  const data = new VertexData()
  data.positions = terrainPositions(terrain, heights)
  data.indices = terrainIndices(terrain.resolution)
  data.applyToMesh(mesh)
  const body = new PhysicsBody(mesh, PhysicsMotionType.STATIC, false, scene)
  body.shape = new PhysicsShapeMesh(mesh, scene)
  return mesh
}
