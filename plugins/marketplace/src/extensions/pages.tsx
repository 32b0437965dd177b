import StorefrontIcon from '@mui/icons-material/Storefront';
import VpnKeyIcon from '@mui/icons-material/VpnKey';
import StoreMallDirectoryIcon from '@mui/icons-material/StoreMallDirectory';
import PeopleIcon from '@mui/icons-material/People';
import FactCheckIcon from '@mui/icons-material/FactCheck';
import SavingsIcon from '@mui/icons-material/Savings';
import HistoryIcon from '@mui/icons-material/History';
import TravelExploreIcon from '@mui/icons-material/TravelExplore';
import { PageBlueprint } from '@backstage/frontend-plugin-api';
import { marketplaceApiRef } from '../api';
import {
  approvalsRouteRef,
  auditRouteRef,
  finderRouteRef,
  providerRouteRef,
  rootRouteRef,
  subscriptionsRouteRef,
  usersRouteRef,
} from '../routes';
import { MainLandmark } from '../components/shared/MainLandmark';
import { queryFromParams } from '../components/MarketplacePage/browseParams';

/* The pages of the marketplace plugin (PageBlueprint), each loaded on demand. */

const isBrowseUrl = () =>
  window.location.pathname.replace(/\/+$/, '') === '/marketplace';
const loadMarketplacePage = () => import('../components/MarketplacePage');

// Opened on browse: start loading the page's code now, while the app signs in
// and renders, instead of when the router reaches the page (the page's loader
// below then gets the same module).
if (isBrowseUrl()) {
  loadMarketplacePage().catch(() => undefined);
}

/**
 * `page:marketplace` at `/marketplace`. In this frontend-plugin-api version the
 * sidebar entry is derived from the page's `title` + `icon` + `routeRef` (the
 * former NavItemBlueprint was removed), and the PageBlueprint renders the page
 * header itself. Its loader starts the browse request of the page's URL while
 * the page's code loads, instead of after it rendered.
 */
export const marketplacePage = PageBlueprint.makeWithOverrides({
  factory(originalFactory, { apis }) {
    return originalFactory({
      path: '/marketplace',
      title: 'Marketplace',
      icon: <StorefrontIcon fontSize="inherit" />,
      routeRef: rootRouteRef,
      loader: () => {
        if (isBrowseUrl()) {
          apis
            .get(marketplaceApiRef)
            ?.prefetchBrowseServices?.(
              queryFromParams(new URLSearchParams(window.location.search)),
            );
        }
        return loadMarketplacePage().then(m => (
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
export const finderPage = PageBlueprint.make({
  name: 'finder',
  params: {
    path: '/marketplace/finder',
    title: 'Model finder',
    icon: <TravelExploreIcon fontSize="inherit" />,
    routeRef: finderRouteRef,
    loader: () =>
      import('../components/FinderPage').then(m => (
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
export const subscriptionsPage = PageBlueprint.make({
  name: 'subscriptions',
  params: {
    path: '/marketplace/subscriptions',
    title: 'My subscriptions',
    icon: <VpnKeyIcon fontSize="inherit" />,
    routeRef: subscriptionsRouteRef,
    loader: () =>
      import('../components/SubscriptionsPage').then(m => (
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
export const providerPage = PageBlueprint.make({
  name: 'provider',
  params: {
    path: '/marketplace/provider',
    title: 'Provider dashboard',
    icon: <StoreMallDirectoryIcon fontSize="inherit" />,
    routeRef: providerRouteRef,
    loader: () =>
      import('../components/ProviderDashboard').then(m => (
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
export const usersPage = PageBlueprint.make({
  name: 'admin-users',
  params: {
    path: '/admin/users',
    title: 'Users',
    icon: <PeopleIcon fontSize="inherit" />,
    routeRef: usersRouteRef,
    loader: () =>
      import('../components/AdminUsers').then(m => (
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
export const approvalsPage = PageBlueprint.make({
  name: 'admin-approvals',
  params: {
    path: '/admin/approvals',
    title: 'Approvals',
    icon: <FactCheckIcon fontSize="inherit" />,
    routeRef: approvalsRouteRef,
    loader: () =>
      import('../components/AdminApprovals').then(m => (
        <MainLandmark>
          <m.ApprovalsPage />
        </MainLandmark>
      )),
  },
});

/** `page:marketplace/admin-audit` at `/admin/audit`: the audit log of admin actions. */
export const auditPage = PageBlueprint.make({
  name: 'admin-audit',
  params: {
    path: '/admin/audit',
    title: 'Audit log',
    icon: <HistoryIcon fontSize="inherit" />,
    routeRef: auditRouteRef,
    loader: () =>
      import('../components/AdminAudit').then(m => (
        <MainLandmark>
          <m.AuditLogPage />
        </MainLandmark>
      )),
  },
});

/** `page:marketplace/admin-budgets` at `/admin/budgets`: everyone's budgets (admins). */
export const adminBudgetsPage = PageBlueprint.make({
  name: 'admin-budgets',
  params: {
    path: '/admin/budgets',
    title: 'Budgets',
    icon: <SavingsIcon fontSize="inherit" />,
    loader: () =>
      import('../components/AdminBudgets').then(m => (
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
export const providerProfilePage = PageBlueprint.make({
  name: 'provider-profile',
  params: {
    path: '/marketplace/providers',
    title: 'Provider profile',
    loader: () =>
      import('../components/ProviderProfile').then(m => (
        <MainLandmark>
          <m.ProviderProfilePage />
        </MainLandmark>
      )),
  },
});
