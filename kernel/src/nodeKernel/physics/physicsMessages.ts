import { z } from 'zod'

const vec3 = z.tuple([z.number(), z.number(), z.number()])

/** What the avatar wants to do this tick; forward/right are clamped to [-1, 1] by the worker. */
export const movementInputSchema = z.object({
  forward: z.number(),
  right: z.number(),
  /** Radians about +Y; yaw 0 faces +Z, yaw π/2 faces +X (Babylon's left-handed convention). */
  yaw: z.number(),
  jump: z.boolean(),
  run: z.boolean()
})

/** What the avatar wants to do this tick (see ARCHITECTURE.md, PhysicsEngine). */
export type MovementInput = z.infer<typeof movementInputSchema>

/** The parts of a loaded world that physics needs; a kernel `LoadedWorld` satisfies it. */
export const physicsWorldSchema = z.object({
  definition: z.object({
    terrain: z.object({
      seed: z.number(),
      size: z.number().positive(),
      resolution: z.number().int().min(2),
      amplitude: z.number()
    }),
    spawn: vec3,
    props: z.array(z.object({
      id: z.string(),
      shape: z.enum(['box', 'sphere']),
      size: vec3,
      position: vec3,
      mass: z.number().nonnegative()
    }))
  }),
  rules: z.object({
    physics: z.object({ gravity: z.number(), timeStep: z.number().positive().max(0.1) }),
    movement: z.object({ walkSpeed: z.number(), runSpeed: z.number(), jumpSpeed: z.number() })
  }),
  heights: z.instanceof(Float32Array)
}).refine(
  (w) => w.heights.length === w.definition.terrain.resolution ** 2,
  { message: 'heights must hold resolution*resolution values (row-major: z rows, x cols)' }
)

/** The parts of a loaded world that physics needs; a kernel `LoadedWorld` satisfies it. */
export type PhysicsWorld = z.infer<typeof physicsWorldSchema>

/** Messages from the main thread to the physics worker. */
export const toPhysicsWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    /** Havok's wasm as bytes, or the URL to fetch it from; absent: the worker entry knows where it is. */
    havokWasm: z.union([z.instanceof(ArrayBuffer), z.string()]).optional(),
    world: physicsWorldSchema
  }),
  z.object({ type: z.literal('input'), input: movementInputSchema }),
  z.object({ type: z.literal('stop') })
])

/** Messages from the main thread to the physics worker. */
export type ToPhysicsWorker = z.infer<typeof toPhysicsWorkerSchema>

/** The avatar's state after the latest step. `position` is the avatar's feet (bottom of the capsule). */
export const avatarPoseSchema = z.object({
  position: vec3,
  velocity: vec3,
  yaw: z.number(),
  grounded: z.boolean()
})

/** The avatar's state after the latest step. `position` is the avatar's feet (bottom of the capsule). */
export type AvatarPose = z.infer<typeof avatarPoseSchema>

/** Messages from the physics worker to the main thread. */
export const fromPhysicsWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('frame'),
    /** Simulated seconds since the world loaded. */
    time: z.number(),
    avatar: avatarPoseSchema,
    /** 7 floats per prop (x, y, z, qx, qy, qz, qw), in definition order. */
    props: z.instanceof(Float32Array),
    /** Wall-clock milliseconds of the latest fixed step. */
    stepMs: z.number()
  }),
  z.object({ type: z.literal('error'), message: z.string() })
])

/** Messages from the physics worker to the main thread. */
export type FromPhysicsWorker = z.infer<typeof fromPhysicsWorkerSchema>
