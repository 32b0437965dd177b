import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { developmentSignInAllowed } from './developmentSignIn';

/** Header the sign-in page sends to pick a sample user. */
export const SAMPLE_USER_HEADER = 'x-marketplace-sample-user';

const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * A local-only sign-in provider (`auth.providers.sampleUsers`) that lets the sign-in
 * page choose one of the sample catalog users (a consumer, a provider engineer, an
 * admin ...) so each role can be tried without an identity provider. Like the guest
 * provider it refuses to work outside development unless
 * `dangerouslyAllowOutsideDevelopment` is set, and it only signs in users that exist
 * in the catalog (and, when `users` is configured, are listed there).
 */
export const sampleUsersAuthenticator = createProxyAuthenticator({
  defaultProfileTransform: async (result: { userName: string }) => ({
    profile: { displayName: result.userName },
  }),
  initialize({ config }) {
    return {
      disabled:
        process.env.NODE_ENV !== 'development' &&
        config.getOptionalBoolean('dangerouslyAllowOutsideDevelopment') !==
          true,
      allowed: config.getOptionalStringArray('users'),
    };
  },
  async authenticate({ req }, ctx) {
    if (ctx.disabled) {
      throw new NotAllowedError(
        "The sampleUsers provider cannot be used outside of a development environment unless 'auth.providers.sampleUsers.dangerouslyAllowOutsideDevelopment' is enabled",
      );
    }
    const userName = req.header(SAMPLE_USER_HEADER);
    if (!userName || !USER_NAME.test(userName)) {
      throw new InputError(
        `Header ${SAMPLE_USER_HEADER} must name a sample user (lowercase entity name)`,
      );
    }
    if (ctx.allowed && !ctx.allowed.includes(userName)) {
      throw new NotAllowedError(`'${userName}' is not one of the sample users`);
    }
    return { result: { userName } };
  },
});

/** @public */
export const authModuleSampleUsersProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'sample-users-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ providers, config }) {
        // Development and demo only: never with the production configuration
        // (authModuleDevelopmentSignInGuard refuses its routes there too).
        if (
          !config.has('auth.providers.sampleUsers') ||
          !developmentSignInAllowed(config)
        ) {
          return;
        }
        providers.registerProvider({
          providerId: 'sampleUsers',
          factory: createProxyAuthProviderFactory({
            authenticator: sampleUsersAuthenticator,
            // Show the catalog user's own profile (display name, e-mail, picture).
            async profileTransform({ userName }, ctx) {
              const { entity } = await ctx.findCatalogUser({
                entityRef: {
                  kind: 'User',
                  namespace: 'default',
                  name: userName,
                },
              });
              const profile = (entity.spec?.profile ?? {}) as {
                displayName?: string;
                email?: string;
                picture?: string;
              };
              return {
                profile: {
                  displayName: profile.displayName ?? userName,
                  email: profile.email,
                  picture: profile.picture,
                },
              };
            },
            async signInResolver({ result }, ctx) {
              return ctx.signInWithCatalogUser({
                entityRef: {
                  kind: 'User',
                  namespace: 'default',
                  name: result.userName,
                },
              });
            },
          }),
        });
      },
    });
  },
});
