import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './service/router';

/**
 * An OpenAI-compatible LLM simulator with real token counts and configurable
 * latency and failure rate, served under `/api/demo-upstream/v1`.
 *
 * @public
 */
export const demoUpstreamPlugin = createBackendPlugin({
  pluginId: 'demo-upstream',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ httpRouter, config, logger }) {
        // Callers authenticate with the upstream API key, not a Backstage token.
        httpRouter.addAuthPolicy({ path: '/v1', allow: 'unauthenticated' });
        httpRouter.use(await createRouter({ config, logger }));
      },
    });
  },
});
