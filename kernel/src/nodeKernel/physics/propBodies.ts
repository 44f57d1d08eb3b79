import { Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector.js'
import { TransformNode } from '@babylonjs/core/Meshes/transformNode.js'
import { PhysicsBody } from '@babylonjs/core/Physics/v2/physicsBody.js'
import { PhysicsShapeBox, PhysicsShapeSphere } from '@babylonjs/core/Physics/v2/physicsShape.js'
import { PhysicsMotionType } from '@babylonjs/core/Physics/v2/IPhysicsEnginePlugin.js'
import type { Scene } from '@babylonjs/core/scene.js'
import type { PhysicsWorld } from './physicsMessages.js'

/** Floats per prop in a props snapshot: x, y, z, qx, qy, qz, qw. */
export const PROP_STRIDE = 7

/**
 * The world's props as Havok bodies: dynamic with their mass (mass 0: static), a box of `size`
 * or a sphere of diameter `size[0]`.
 */
export class PropBodies {
  private readonly nodes: TransformNode[]

  constructor (scene: Scene, props: PhysicsWorld['definition']['props']) {
    this.nodes = props.map((prop) => {
      const node = new TransformNode(prop.id, scene)
      node.position.set(...prop.position)
      node.rotationQuaternion = Quaternion.Identity()
      const body = new PhysicsBody(node, prop.mass > 0 ? PhysicsMotionType.DYNAMIC : PhysicsMotionType.STATIC, false, scene)
      body.shape = prop.shape === 'box'
        ? new PhysicsShapeBox(Vector3.Zero(), Quaternion.Identity(), new Vector3(...prop.size), scene)
        : new PhysicsShapeSphere(Vector3.Zero(), prop.size[0] / 2, scene)
      if (prop.mass > 0) body.setMassProperties({ mass: prop.mass })
      return node
    })
  }

  /** A fresh snapshot of every prop's pose, PROP_STRIDE floats each, in definition order. */
  snapshot (): Float32Array<ArrayBuffer> {
    const out = new Float32Array(this.nodes.length * PROP_STRIDE)
    this.nodes.forEach((node, i) => {
      const p = node.position
      const q = node.rotationQuaternion ?? Quaternion.Identity()
      out.set([p.x, p.y, p.z, q.x, q.y, q.z, q.w], i * PROP_STRIDE)
    })
    return out
  }
}
