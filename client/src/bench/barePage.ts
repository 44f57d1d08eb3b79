/**
 * Baseline page for the first-frame benchmark: the client's own renderer choice (WebGPU after a
 * test frame, else WebGL2) drawing a bare Babylon scene, with no bundle, network or physics. The
 * overworld's time to first frame is reported as a ratio to this page's.
 */
import { Scene } from '@babylonjs/core/scene.js'
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera.js'
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight.js'
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js'
import { CreateGround } from '@babylonjs/core/Meshes/Builders/groundBuilder.js'
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js'
// The meshes draw with the scene's default material, which only exists once this module ran:
// without it the page drew nothing but its clear colour (and scene.isReady() threw).
import '@babylonjs/core/Materials/standardMaterial.js'
import { parseUrlOptions } from '../boot/urlOptions.js'
import { createRenderEngine } from '../render/createRenderEngine.js'
import { FIRST_FRAME_MARK, WORLD_VISIBLE_MARK } from '../session/firstFrameMark.js'

async function main(): Promise<void> {
  performance.mark('peercompute:boot')
  const canvas = document.createElement('canvas')
  ;(document.getElementById('stage') as HTMLElement).append(canvas)
  const { engine, renderer } = await createRenderEngine(canvas, parseUrlOptions(location.search).renderer)
  performance.mark('peercompute:renderer')
  const scene = new Scene(engine)
  const camera = new ArcRotateCamera('camera', -Math.PI / 2, Math.PI / 3, 12, Vector3.Zero(), scene)
  scene.activeCamera = camera
  new HemisphericLight('light', new Vector3(0, 1, 0), scene)
  CreateGround('ground', { width: 20, height: 20 }, scene)
  CreateBox('box', { size: 2 }, scene).position.y = 1
  let marked = false
  let visible = false
  engine.runRenderLoop(() => {
    scene.render()
    if (!marked) {
      marked = true
      performance.mark(FIRST_FRAME_MARK)
      document.body.dataset.state = 'running'
      document.body.dataset.renderer = renderer
    }
    if (!visible && scene.isReady()) {
      visible = true
      performance.mark(WORLD_VISIBLE_MARK)
    }
  })
}

void main()
