import { z } from 'zod'

const vec3 = z.tuple([z.number(), z.number(), z.number()])
const quat = z.tuple([z.number(), z.number(), z.number(), z.number()])

/** Floats per prop in a props snapshot: x, y, z, qx, qy, qz, qw. */
export const PROP_STRIDE = 7
/** Most other players' avatars one `avatars` message may pose (a world's player limit is lower). */
export const MAX_REMOTE_AVATARS = 256

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

/**
 * Who moves the world's props in this simulation: Havok ('simulate': the world's host, or a world
 * nobody hosts), or the host's published poses ('follow': a member of a hosted world; its props are
 * kinematic, so its avatar still collides with them).
 */
export const propModeSchema = z.enum(['simulate', 'follow'])

/** Who moves the world's props in this simulation (see {@link propModeSchema}). */
export type PropMode = z.infer<typeof propModeSchema>

/** How a world is loaded into the worker. */
export const physicsLoadOptionsSchema = z.object({
  /** Simulate this node's own avatar. @default true (a headless host has none) */
  localAvatar: z.boolean().optional(),
  /** @default 'simulate' */
  propMode: propModeSchema.optional(),
  /** Where the props start, PROP_STRIDE floats each in definition order (a new host: the last poses it received). */
  propPoses: z.instanceof(Float32Array).optional()
})

/** How a world is loaded into the worker. */
export type PhysicsLoadOptions = z.infer<typeof physicsLoadOptionsSchema>

/**
 * Poses of some of the world's props at one moment of the host's simulation. `snaps[i]` is the
 * prop's teleport counter: when it changes the prop jumps there instead of gliding.
 */
export const propPoseBatchSchema = z.object({
  /** The host's simulated seconds. */
  time: z.number(),
  /** Definition indices of the props in this batch. */
  indices: z.instanceof(Uint16Array),
  snaps: z.instanceof(Uint8Array),
  /** PROP_STRIDE floats per entry of `indices`. */
  poses: z.instanceof(Float32Array)
}).refine(
  (b) => b.snaps.length === b.indices.length && b.poses.length === b.indices.length * PROP_STRIDE,
  { message: 'a prop pose batch needs one snap and PROP_STRIDE floats per index' }
)

/** Poses of some of the world's props at one moment of the host's simulation. */
export type PropPoseBatch = z.infer<typeof propPoseBatchSchema>

/** Another player's avatar as the host's presence last heard it; `position` is the feet. */
export const remoteAvatarSchema = z.object({
  id: z.string().min(1).max(128),
  position: vec3,
  velocity: vec3,
  /** Seconds since the sample arrived (the worker carries it on by `velocity` for a moment). */
  age: z.number().nonnegative()
})

/** Another player's avatar as the host's presence last heard it; `position` is the feet. */
export type RemoteAvatar = z.infer<typeof remoteAvatarSchema>

/** A prop put somewhere at once (a world script's `move`); velocity zero unless given. */
export const propPlacementSchema = z.object({
  index: z.number().int().nonnegative(),
  position: vec3,
  /** @default the prop's current rotation */
  rotation: quat.optional(),
  velocity: vec3.optional()
})

/** A prop put somewhere at once (a world script's `move`); velocity zero unless given. */
export type PropPlacement = z.infer<typeof propPlacementSchema>

/** Messages from the main thread to the physics worker. */
export const toPhysicsWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    /** Havok's wasm as bytes, or the URL to fetch it from; absent: the worker entry knows where it is. */
    havokWasm: z.union([z.instanceof(ArrayBuffer), z.string()]).optional(),
    world: physicsWorldSchema,
    options: physicsLoadOptionsSchema.optional()
  }),
  z.object({ type: z.literal('input'), input: movementInputSchema }),
  z.object({ type: z.literal('propMode'), mode: propModeSchema }),
  z.object({ type: z.literal('followProps'), batch: propPoseBatchSchema }),
  z.object({ type: z.literal('placeProp'), placement: propPlacementSchema }),
  z.object({ type: z.literal('avatars'), avatars: z.array(remoteAvatarSchema).max(MAX_REMOTE_AVATARS) }),
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
    /** Null when the world was loaded without a local avatar (a headless host). */
    avatar: avatarPoseSchema.nullable(),
    /** 7 floats per prop (x, y, z, qx, qy, qz, qw), in definition order. */
    props: z.instanceof(Float32Array),
    /** Each prop's teleport counter (see PropPoseBatch), in definition order. */
    snaps: z.instanceof(Uint8Array),
    /** Wall-clock milliseconds of the latest fixed step. */
    stepMs: z.number()
  }),
  z.object({ type: z.literal('error'), message: z.string() })
])

/** Messages from the physics worker to the main thread. */
export type FromPhysicsWorker = z.infer<typeof fromPhysicsWorkerSchema>
