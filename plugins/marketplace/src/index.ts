/**
 * Marketplace frontend plugin: the /marketplace page and the entity cards of the
 * ModelService and Provider kinds.
 *
 * The default export is what `app.packages: all` discovery picks up: the CLI
 * imports this package's main entry and uses its `default` export.
 *
 * @packageDocumentation
 */
import { marketplacePlugin } from './plugin';

export { marketplacePlugin } from './plugin';
export {
  rootRouteRef as marketplaceRouteRef,
  subscriptionsRouteRef as marketplaceSubscriptionsRouteRef,
} from './routes';
export {
  marketplaceApiRef,
  MarketplaceClient,
  type MarketplaceApi,
  type MarketplaceMe,
  type MarketplaceTeam,
} from './api';
export { marketplaceScaffolderModule } from './scaffolderModule';
export default marketplacePlugin;
