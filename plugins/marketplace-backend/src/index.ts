/**
 * The LLM marketplace backend: REST API and the OpenAI-compatible metering gateway.
 *
 * @packageDocumentation
 */
export { marketplacePlugin as default } from './plugin';
