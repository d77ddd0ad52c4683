export { ConnectionService, type ResolvedConnection } from './connection.service.js';
export { systemConnections, type SystemConnection } from './system-connections.js';
export {
  connectionListQuery,
  connectionPageSchema,
  connectionTypeSchema,
  connectionViewSchema,
  createConnectionBody,
  updateConnectionBody,
  type ConnectionType,
  type ConnectionView,
} from './connection.schemas.js';
