/**
 * An OpenAI-compatible LLM simulator for the marketplace demo.
 *
 * @packageDocumentation
 */

export { demoUpstreamPlugin as default } from './plugin';
export { createRouter } from './service/router';
export type { RouterOptions, SleepFunction } from './service/router';
export type { DemoUpstreamSettings, SimulatedModel } from './service/config';
