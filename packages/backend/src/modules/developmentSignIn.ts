import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import { Request, Response, NextFunction } from 'express';

/**
 * The sign-in providers that exist for development and the demo only: anyone may
 * call them to get a token as any sample user (or as guest).
 */
export const DEVELOPMENT_SIGN_IN_PROVIDERS = ['guest', 'sampleUsers'] as const;

/**
 * Whether the development sign-in providers may be used: only when the auth
 * environment is `development` (Backstage's default when unset). The production
 * configuration (app-config.production.yaml) sets `auth.environment: production`,
 * so loading it turns them off whatever NODE_ENV says and whatever other config
 * file still lists them.
 */
export function developmentSignInAllowed(config: Config): boolean {
  return (
    (config.getOptionalString('auth.environment') ?? 'development') ===
    'development'
  );
}

const PROVIDER_PATH = new RegExp(
  `^/(${DEVELOPMENT_SIGN_IN_PROVIDERS.join('|')})(/|$)`,
);

/**
 * Refuses every request to the guest and sample-user providers (start, refresh,
 * frame handler, logout) unless the configuration is a development one. Runs in
 * front of the auth plugin's own routes: a module initializes before its plugin,
 * so its middleware is mounted first.
 */
export const authModuleDevelopmentSignInGuard = createBackendModule({
  pluginId: 'auth',
  moduleId: 'development-sign-in-guard',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
      },
      async init({ config, httpRouter, logger }) {
        if (developmentSignInAllowed(config)) {
          return;
        }
        const configured = DEVELOPMENT_SIGN_IN_PROVIDERS.filter(id =>
          config.has(`auth.providers.${id}`),
        );
        if (configured.length > 0) {
          logger.warn(
            `auth.providers.${configured.join(
              ' and auth.providers.',
            )} are development sign-in and refused: auth.environment is not development`,
          );
        }
        httpRouter.use((req: Request, _res: Response, next: NextFunction) => {
          const match = PROVIDER_PATH.exec(req.path);
          if (!match) {
            next();
            return;
          }
          next(
            new NotAllowedError(
              `The ${match[1]} sign-in is for development only and is refused in this environment (auth.environment is not development); sign in with the configured identity provider`,
            ),
          );
        });
      },
    });
  },
});
