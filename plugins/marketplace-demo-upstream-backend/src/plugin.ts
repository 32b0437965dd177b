import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './service/router';
import {
  createSampleTeamRepoRouter,
  SAMPLE_TEAM_REPO_PATH,
} from './service/sampleTeamRepo';

/**
 * An OpenAI-compatible LLM simulator with real token counts and configurable
 * latency and failure rate, served under `/api/demo-upstream/v1`; and, when
 * `marketplace.demoUpstream.sampleTeamRepo` names a folder, that folder's YAML
 * files under `/api/demo-upstream/sample-team-repo/` (a stand-in repository host).
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
        const sampleTeamRepo = config.getOptionalString(
          'marketplace.demoUpstream.sampleTeamRepo',
        );
        if (
          config.getOptionalBoolean('marketplace.demoUpstream.enabled') &&
          sampleTeamRepo
        ) {
          // Read by the catalog's URL reader, which sends no token.
          httpRouter.addAuthPolicy({
            path: SAMPLE_TEAM_REPO_PATH,
            allow: 'unauthenticated',
          });
          httpRouter.use(
            createSampleTeamRepoRouter({ directory: sampleTeamRepo, logger }),
          );
        }
        httpRouter.use(await createRouter({ config, logger }));
      },
    });
  },
});
