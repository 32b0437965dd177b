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
export { rootRouteRef as marketplaceRouteRef } from './routes';
export default marketplacePlugin;
