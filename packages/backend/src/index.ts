/*
 * The LLM marketplace portal backend: Backstage's catalog, scaffolder, auth,
 * permission, search and notifications, plus the marketplace plugins.
 */
import { createBackend } from '@backstage/backend-defaults';
import { authModuleSampleUsersProvider } from './modules/authModuleSampleUsersProvider';
import { authModuleDevelopmentSignInGuard } from './modules/developmentSignIn';
import { rootHttpRouter } from './modules/rootHttpRouter';
import { searchModuleMarketplaceCatalog } from './modules/searchModuleMarketplaceCatalog';

const backend = createBackend();

// Error answers without stack traces, and 404s with a body
backend.add(rootHttpRouter);

backend.add(import('@backstage/plugin-app-backend'));

// scaffolder
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
// marketplace:publish, used by the "Publish LLM service" template
backend.add(import('@internal/plugin-scaffolder-backend-module-marketplace'));

// auth: guest and the sample-users picker (both development only: refused
// whenever auth.environment is not development, see app-config.development.yaml)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(authModuleSampleUsersProvider);
backend.add(authModuleDevelopmentSignInGuard);
// auth: production sign-in through an OpenID Connect identity provider
// (auth.providers.oidc, app-config.production.yaml), resolved to catalog users
backend.add(import('@backstage/plugin-auth-backend-module-oidc-provider'));

// catalog, with the marketplace kinds
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@backstage/plugin-catalog-backend-module-unprocessed'));
backend.add(import('@internal/plugin-catalog-backend-module-marketplace'));

// permissions: the marketplace policy (admins / providers / consumers)
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@internal/plugin-permission-backend-module-marketplace-policy'),
);

// search (Postgres engine when on PostgreSQL, Lunr in memory otherwise)
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
// ModelServices found by feature and by names without punctuation
backend.add(searchModuleMarketplaceCatalog);

// events: the marketplace announces published and changed services to the catalog
// (marketplace.service.changed), also across backend instances
backend.add(import('@backstage/plugin-events-backend'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// marketplace: REST API + OpenAI-compatible metering gateway
backend.add(import('@internal/plugin-marketplace-backend'));

// marketplace: the demo upstream model simulator (only when enabled in config)
backend.add(import('@internal/plugin-marketplace-demo-upstream-backend'));

backend.start();
