import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine.js'
import { Scene } from '@babylonjs/core/scene.js'
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight.js'
import { DirectionalLight } from '@babylonjs/core/Lights/directionalLight.js'
import { ShadowGenerator } from '@babylonjs/core/Lights/Shadows/shadowGenerator.js'
import '@babylonjs/core/Lights/Shadows/shadowGeneratorSceneComponent.js'
import { Color3, Color4 } from '@babylonjs/core/Maths/math.color.js'
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js'
import type { WorldDefinition } from '@peercompute/world-sdk'
import { createSkyDome } from './skyDome.js'
import type { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData.js'
import { createTerrainMesh, terrainVertexData } from './terrainMesh.js'

/** The static part of a world's scene: sky, fog, lights, shadows and terrain. */
export interface WorldScene {
  scene: Scene
  sun: DirectionalLight
  /** Casts soft shadows from meshes added with `addShadowCaster`. */
  shadows: ShadowGenerator
}

/** The part of a world's scene that needs no engine (made while the GPU starts). */
export interface WorldSceneData {
  terrain: VertexData
}

/** Computes {@link WorldSceneData} for a world: CPU work only. */
export function prepareWorldScene(definition: WorldDefinition, heights: Float32Array): WorldSceneData {
  return { terrain: terrainVertexData(definition.terrain, heights) }
}

/** Builds the scene for a world definition on an engine. */
export function createWorldScene(engine: AbstractEngine, definition: WorldDefinition, data: WorldSceneData): WorldScene {
  const scene = new Scene(engine)
  const sky = Color3.FromHexString(definition.sky.color)
  scene.clearColor = new Color4(sky.r, sky.g, sky.b, 1)
  scene.ambientColor = new Color3(0.25, 0.27, 0.3)
  scene.fogMode = Scene.FOGMODE_EXP2
  scene.fogColor = Color3.FromHexString(definition.fog.color)
  createSkyDome(scene, sky, scene.fogColor)
  scene.fogDensity = definition.fog.density
  scene.skipPointerMovePicking = true

  const hemi = new HemisphericLight('sky', new Vector3(0, 1, 0), scene)
  hemi.intensity = 0.55
  hemi.diffuse = new Color3(0.85, 0.9, 1)
  hemi.groundColor = new Color3(0.28, 0.25, 0.22)

  const sun = new DirectionalLight('sun', new Vector3(-0.45, -1, 0.35).normalize(), scene)
  sun.intensity = 1.05
  sun.diffuse = new Color3(1, 0.96, 0.88)
  sun.position = new Vector3(40, 80, -30)
  sun.autoUpdateExtends = false
  sun.shadowMinZ = 1
  sun.shadowMaxZ = 200
  sun.orthoLeft = -40
  sun.orthoRight = 40
  sun.orthoTop = 40
  sun.orthoBottom = -40

  const shadows = new ShadowGenerator(1024, sun)
  shadows.usePercentageCloserFiltering = true
  shadows.filteringQuality = ShadowGenerator.QUALITY_LOW
  shadows.bias = 0.004
  shadows.normalBias = 0.04
  shadows.darkness = 0.35

  createTerrainMesh(scene, data.terrain)
  return { scene, sun, shadows }
}

/**
 * Keeps the sun's shadow box centred on `focus` (the local avatar), so shadows stay sharp near
 * the player on a large terrain without a huge shadow map.
 */
export function followWithSun(world: WorldScene, focus: Vector3): void {
  const dir = world.sun.direction
  world.sun.position.set(focus.x - dir.x * 90, focus.y - dir.y * 90, focus.z - dir.z * 90)
}
