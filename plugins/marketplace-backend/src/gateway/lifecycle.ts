/**
 * Deprecation, Sunset and the successor's Link on the gateway's answers for a
 * retiring service: part of the gateway's pipeline
 * (`@internal/plugin-marketplace-gateway-node`).
 */
export { lifecycleHeaders } from '@internal/plugin-marketplace-gateway-node';
