import StorefrontIcon from '@mui/icons-material/Storefront';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  OverridableFrontendPlugin,
  RouteRef,
} from '@backstage/frontend-plugin-api';
import { marketplaceApiRef, MarketplaceClient } from './api';
import {
  approvalsRouteRef,
  auditRouteRef,
  finderRouteRef,
  providerRouteRef,
  rootRouteRef,
  subscriptionsRouteRef,
  usersRouteRef,
} from './routes';
import {
  adminBudgetsPage,
  approvalsPage,
  auditPage,
  finderPage,
  marketplacePage,
  providerPage,
  providerProfilePage,
  subscriptionsPage,
  usersPage,
} from './extensions/pages';
import {
  modelServiceApiContent,
  modelServiceOverviewCard,
  modelServiceQualityContent,
  modelServiceReviewsContent,
  modelServiceUsageContent,
  providerCredentialsCard,
  providerDetailsCard,
  providerServicesCard,
} from './extensions/entityExtensions';
import {
  serviceNameFormField,
  servicePreviewFormField,
  stepChecksFormField,
  termsFormField,
} from './extensions/formFields';

/** `api:marketplace`: the client of the marketplace backend's REST API. */
const marketplaceApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: marketplaceApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MarketplaceClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The marketplace frontend plugin (new frontend system).
 *
 * @public
 */
export const marketplacePlugin: OverridableFrontendPlugin<{
  root: RouteRef<undefined>;
  subscriptions: RouteRef<undefined>;
  provider: RouteRef<undefined>;
  approvals: RouteRef<undefined>;
  users: RouteRef<undefined>;
  audit: RouteRef<undefined>;
  finder: RouteRef<undefined>;
}> = createFrontendPlugin({
  pluginId: 'marketplace',
  title: 'Marketplace',
  icon: <StorefrontIcon fontSize="inherit" />,
  info: { packageJson: () => import('../package.json') },
  routes: {
    root: rootRouteRef,
    subscriptions: subscriptionsRouteRef,
    provider: providerRouteRef,
    approvals: approvalsRouteRef,
    users: usersRouteRef,
    audit: auditRouteRef,
    finder: finderRouteRef,
  },
  extensions: [
    marketplaceApi,
    marketplacePage,
    finderPage,
    subscriptionsPage,
    providerPage,
    usersPage,
    approvalsPage,
    auditPage,
    adminBudgetsPage,
    providerProfilePage,
    modelServiceOverviewCard,
    modelServiceQualityContent,
    modelServiceApiContent,
    modelServiceReviewsContent,
    modelServiceUsageContent,
    providerDetailsCard,
    providerServicesCard,
    providerCredentialsCard,
    serviceNameFormField,
    termsFormField,
    servicePreviewFormField,
    stepChecksFormField,
  ],
});
