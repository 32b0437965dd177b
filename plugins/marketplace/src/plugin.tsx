import StorefrontIcon from '@mui/icons-material/Storefront';
import VpnKeyIcon from '@mui/icons-material/VpnKey';
import StoreMallDirectoryIcon from '@mui/icons-material/StoreMallDirectory';
import PeopleIcon from '@mui/icons-material/People';
import FactCheckIcon from '@mui/icons-material/FactCheck';
import SavingsIcon from '@mui/icons-material/Savings';
import HistoryIcon from '@mui/icons-material/History';
import TravelExploreIcon from '@mui/icons-material/TravelExplore';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  OverridableFrontendPlugin,
  PageBlueprint,
  RouteRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  MARKETPLACE_API_VERSION,
  MODEL_SERVICE_KIND,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
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
import { MainLandmark } from './components/shared/MainLandmark';
import { queryFromParams } from './components/MarketplacePage/browseParams';

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
 * `page:marketplace` at `/marketplace`. In this frontend-plugin-api version the
 * sidebar entry is derived from the page's `title` + `icon` + `routeRef` (the
 * former NavItemBlueprint was removed), and the PageBlueprint renders the page
 * header itself. Its loader starts the browse request of the page's URL while
 * the page's code loads, instead of after it rendered.
 */
const marketplacePage = PageBlueprint.makeWithOverrides({
  factory(originalFactory, { apis }) {
    return originalFactory({
      path: '/marketplace',
      title: 'Marketplace',
      icon: <StorefrontIcon fontSize="inherit" />,
      routeRef: rootRouteRef,
      loader: () => {
        if (window.location.pathname.replace(/\/+$/, '') === '/marketplace') {
          apis
            .get(marketplaceApiRef)
            ?.prefetchBrowseServices?.(
              queryFromParams(new URLSearchParams(window.location.search)),
            );
        }
        return import('./components/MarketplacePage').then(m => (
          <MainLandmark>
            <m.MarketplacePage />
          </MainLandmark>
        ));
      },
    });
  },
});

/**
 * `page:marketplace/finder` at `/marketplace/finder`: the model finder (needs
 * and volume in, services ranked by expected monthly cost out).
 */
const finderPage = PageBlueprint.make({
  name: 'finder',
  params: {
    path: '/marketplace/finder',
    title: 'Model finder',
    icon: <TravelExploreIcon fontSize="inherit" />,
    routeRef: finderRouteRef,
    loader: () =>
      import('./components/FinderPage').then(m => (
        <MainLandmark>
          <m.FinderPage />
        </MainLandmark>
      )),
  },
});

/**
 * `page:marketplace/subscriptions` at `/marketplace/subscriptions`: the user's
 * subscriptions, keys and recent requests. Listed in the sidebar after Marketplace.
 */
const subscriptionsPage = PageBlueprint.make({
  name: 'subscriptions',
  params: {
    path: '/marketplace/subscriptions',
    title: 'My subscriptions',
    icon: <VpnKeyIcon fontSize="inherit" />,
    routeRef: subscriptionsRouteRef,
    loader: () =>
      import('./components/SubscriptionsPage').then(m => (
        <MainLandmark>
          <m.SubscriptionsPage />
        </MainLandmark>
      )),
  },
});

/**
 * `page:marketplace/provider` at `/marketplace/provider`: the provider dashboard
 * (analytics, payouts, and the services the user's teams publish with their
 * review state).
 */
const providerPage = PageBlueprint.make({
  name: 'provider',
  params: {
    path: '/marketplace/provider',
    title: 'Provider dashboard',
    icon: <StoreMallDirectoryIcon fontSize="inherit" />,
    routeRef: providerRouteRef,
    loader: () =>
      import('./components/ProviderDashboard').then(m => (
        <MainLandmark>
          <m.ProviderDashboardPage />
        </MainLandmark>
      )),
  },
});

/**
 * `page:marketplace/admin-users` at `/admin/users`: users, roles, suspensions
 * and the platform fee. The app's sidebar lists the admin pages in an Admin
 * group shown only to admins; the API answers 403 to everyone else, and the
 * page says "Not allowed".
 */
const usersPage = PageBlueprint.make({
  name: 'admin-users',
  params: {
    path: '/admin/users',
    title: 'Users',
    icon: <PeopleIcon fontSize="inherit" />,
    routeRef: usersRouteRef,
    loader: () =>
      import('./components/AdminUsers').then(m => (
        <MainLandmark>
          <m.UsersPage />
        </MainLandmark>
      )),
  },
});

/**
 * `page:marketplace/admin-approvals` at `/admin/approvals`: the admins' review
 * queue (in the sidebar's Admin group).
 */
const approvalsPage = PageBlueprint.make({
  name: 'admin-approvals',
  params: {
    path: '/admin/approvals',
    title: 'Approvals',
    icon: <FactCheckIcon fontSize="inherit" />,
    routeRef: approvalsRouteRef,
    loader: () =>
      import('./components/AdminApprovals').then(m => (
        <MainLandmark>
          <m.ApprovalsPage />
        </MainLandmark>
      )),
  },
});

/** `page:marketplace/admin-audit` at `/admin/audit`: the audit log of admin actions. */
const auditPage = PageBlueprint.make({
  name: 'admin-audit',
  params: {
    path: '/admin/audit',
    title: 'Audit log',
    icon: <HistoryIcon fontSize="inherit" />,
    routeRef: auditRouteRef,
    loader: () =>
      import('./components/AdminAudit').then(m => (
        <MainLandmark>
          <m.AuditLogPage />
        </MainLandmark>
      )),
  },
});

/** `page:marketplace/admin-budgets` at `/admin/budgets`: everyone's budgets (admins). */
const adminBudgetsPage = PageBlueprint.make({
  name: 'admin-budgets',
  params: {
    path: '/admin/budgets',
    title: 'Budgets',
    icon: <SavingsIcon fontSize="inherit" />,
    loader: () =>
      import('./components/AdminBudgets').then(m => (
        <MainLandmark>
          <m.AdminBudgetsPage />
        </MainLandmark>
      )),
  },
});

/**
 * `page:marketplace/provider-profile` at `/marketplace/providers/:id`: a
 * provider's profile, live services and measured quality. No icon: it is not a
 * sidebar entry (service cards and Provider entity pages link to it).
 */
const providerProfilePage = PageBlueprint.make({
  name: 'provider-profile',
  params: {
    path: '/marketplace/providers',
    title: 'Provider profile',
    loader: () =>
      import('./components/ProviderProfile').then(m => (
        <MainLandmark>
          <m.ProviderProfilePage />
        </MainLandmark>
      )),
  },
});

/** `entity-card:marketplace/model-service-overview`, only on ModelService entities. */
const modelServiceOverviewCard = EntityCardBlueprint.make({
  name: 'model-service-overview',
  params: {
    type: 'content',
    filter: { kind: MODEL_SERVICE_KIND, apiVersion: MARKETPLACE_API_VERSION },
    loader: () =>
      import('./components/ModelServiceCard').then(m => (
        <m.ModelServiceOverviewCard />
      )),
  },
});

/** `entity-content:marketplace/model-service-api`: the API tab with the Test API playground. */
const modelServiceApiContent = EntityContentBlueprint.make({
  name: 'model-service-api',
  params: {
    path: 'api',
    title: 'API',
    filter: { kind: MODEL_SERVICE_KIND, apiVersion: MARKETPLACE_API_VERSION },
    loader: () =>
      import('./components/TestApi').then(m => <m.TestApiEntityContent />),
  },
});

/** `entity-content:marketplace/model-service-quality`: committed SLA vs measured, availability, geography. */
const modelServiceQualityContent = EntityContentBlueprint.make({
  name: 'model-service-quality',
  params: {
    path: 'quality',
    title: 'Quality',
    filter: { kind: MODEL_SERVICE_KIND, apiVersion: MARKETPLACE_API_VERSION },
    loader: () =>
      import('./components/Quality').then(m => (
        <m.ModelServiceQualityContent />
      )),
  },
});

/** `entity-content:marketplace/model-service-reviews`: verified reviews and ratings. */
const modelServiceReviewsContent = EntityContentBlueprint.make({
  name: 'model-service-reviews',
  params: {
    path: 'reviews',
    title: 'Reviews',
    filter: { kind: MODEL_SERVICE_KIND, apiVersion: MARKETPLACE_API_VERSION },
    loader: () =>
      import('./components/Reviews').then(m => <m.ReviewsContent />),
  },
});

/** `entity-content:marketplace/model-service-usage`: the user's own usage of the service. */
const modelServiceUsageContent = EntityContentBlueprint.make({
  name: 'model-service-usage',
  params: {
    path: 'usage',
    title: 'Usage',
    filter: { kind: MODEL_SERVICE_KIND, apiVersion: MARKETPLACE_API_VERSION },
    loader: () =>
      import('./components/Usage').then(m => <m.ServiceUsageContent />),
  },
});

/** `entity-card:marketplace/provider-details`, only on Provider entities. */
const providerDetailsCard = EntityCardBlueprint.make({
  name: 'provider-details',
  params: {
    type: 'info',
    filter: { kind: PROVIDER_KIND, apiVersion: MARKETPLACE_API_VERSION },
    loader: () =>
      import('./components/ProviderCards').then(m => <m.ProviderDetailsCard />),
  },
});

/** `entity-card:marketplace/provider-services`, only on Provider entities. */
const providerServicesCard = EntityCardBlueprint.make({
  name: 'provider-services',
  params: {
    type: 'content',
    filter: { kind: PROVIDER_KIND, apiVersion: MARKETPLACE_API_VERSION },
    loader: () =>
      import('./components/ProviderCards').then(m => (
        <m.ProviderServicesCard />
      )),
  },
});

/** `entity-card:marketplace/provider-credentials`, on Provider entities, for their owners and admins. */
const providerCredentialsCard = EntityCardBlueprint.make({
  name: 'provider-credentials',
  params: {
    type: 'content',
    filter: { kind: PROVIDER_KIND, apiVersion: MARKETPLACE_API_VERSION },
    loader: () =>
      import('./components/ProviderCards').then(m => (
        <m.ProviderCredentialsCard />
      )),
  },
});

/** `scaffolder-form-field:marketplace/service-name`: the unique service name field of "Publish LLM service". */
const serviceNameFormField = FormFieldBlueprint.make({
  name: 'service-name',
  params: {
    field: () =>
      import('./components/scaffolder/fields').then(
        m => m.MarketplaceServiceNamePicker,
      ),
  },
});

/** `scaffolder-form-field:marketplace/terms`: the terms checkbox of "Publish LLM service". */
const termsFormField = FormFieldBlueprint.make({
  name: 'terms',
  params: {
    field: () =>
      import('./components/scaffolder/fields').then(
        m => m.MarketplaceTermsAcceptance,
      ),
  },
});

/** `scaffolder-form-field:marketplace/service-preview`: the card preview of "Publish LLM service". */
const servicePreviewFormField = FormFieldBlueprint.make({
  name: 'service-preview',
  params: {
    field: () =>
      import('./components/scaffolder/ServicePreviewField').then(
        m => m.MarketplaceServicePreview,
      ),
  },
});

/** `scaffolder-form-field:marketplace/step-checks`: checks across the fields of a step of "Publish LLM service". */
const stepChecksFormField = FormFieldBlueprint.make({
  name: 'step-checks',
  params: {
    field: () =>
      import('./components/scaffolder/checks').then(
        m => m.MarketplaceStepChecks,
      ),
  },
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
