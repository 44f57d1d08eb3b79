/**
 * @peercompute/kernel — the compute node shared by browsers, headless hosts and the root.
 * Platforms live at `@peercompute/kernel/browser` and `@peercompute/kernel/node`.
 * @packageDocumentation
 */
export { createNode, NodeOptionsError } from './createNode.js'
export type { CreateNodeOptions, PeerComputeNode } from './createNode.js'
export { NodeKernel } from './nodeKernel/NodeKernel.js'
export type { NodeKernelInit, NodeStatus, StorageMode } from './nodeKernel/NodeKernel.js'
export type { ChatMessage, DropReason, KernelEvents, PeerTransport } from './nodeKernel/KernelEvents.js'
export type { LoadedWorld } from './nodeKernel/LoadedWorld.js'
export { worldTopics } from './nodeKernel/worldTopics.js'
export type { WorldChannel, WorldTopics } from './nodeKernel/worldTopics.js'
export { ChatRejectedError } from './nodeKernel/state/ChatLog.js'
export { NotInWorldError } from './nodeKernel/state/StateManager.js'
export type { ChatView, PresenceView, StateManager } from './nodeKernel/state/StateManager.js'
export type { PresencePlayer, SelfPose } from './nodeKernel/state/PresenceStore.js'
export { RootUnreachableError } from './nodeKernel/network/NetworkManager.js'
export type { NetworkManager, PeerStatus, Topology } from './nodeKernel/network/NetworkManager.js'
export type { InputAxis, InputButton, InputManager } from './nodeKernel/input/InputManager.js'
export { PhysicsError } from './nodeKernel/physics/PhysicsEngine.js'
export type { AvatarPose, MovementInput, PhysicsEngine } from './nodeKernel/physics/PhysicsEngine.js'
export { ComputeTaskError, ComputeUnavailableError, UntrustedCodeError } from './nodeKernel/compute/computeTask.js'
export type { ComputeResult, ComputeTask, CpuKernelName, CpuTask, WebGPUTask } from './nodeKernel/compute/computeTask.js'
export { cpuKernelCodeHash, shaderCodeHash } from './nodeKernel/compute/cpuKernels.js'
export type { ComputeCapabilities, ComputeManager } from './nodeKernel/compute/ComputeManager.js'
export { WorkerUnavailableError } from './platform/Platform.js'
export type { KernelLibp2p, NetworkInit, NodeRole, Platform, WorkerKind } from './platform/Platform.js'
export type { WorkerPort, WorkerScope } from './platform/WorkerPort.js'
