/** The world registry of a root: publish, list and serve signed sub-world bundles. */
export { worldRegistry } from './worldRegistry.js'
export type { PublishedWorld, WorldRegistry, WorldRegistryInit, WorldSummary } from './worldRegistry.js'
export { LiveHosts, hostAnnouncementSchema } from './liveHosts.js'
export type { HostAnnouncement, LiveHost, LiveHostsInit } from './liveHosts.js'
export { RegistryConfigError, registryConfigFromEnv } from './registryConfig.js'
export type { RegistryConfig } from './registryConfig.js'
export { PublisherNotAllowedError, RegistryError, VersionNotNewerError, WorldContentError } from './errors.js'
