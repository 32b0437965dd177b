import { ReactNode, useMemo } from 'react';
import {
  UNSAFE_LocationContext as LocationContext,
  useLocation,
  useNavigationType,
} from 'react-router-dom';

/**
 * The catalog kinds whose entity pages belong to the marketplace: a service's
 * page (and its provider's) is where Browse leads, so the sidebar highlights
 * Marketplace there, not Catalog, although the page lives under /catalog.
 */
const MARKETPLACE_ENTITY_PAGE = /^\/catalog\/[^/]+\/(modelservice|provider)\//i;

/** Whether a path is the entity page of a service or a provider. */
export function isMarketplaceEntityPage(pathname: string): boolean {
  return MARKETPLACE_ENTITY_PAGE.test(`${pathname.replace(/\/+$/, '')}/`);
}

/**
 * Renders a sidebar item as if the browser were at `path`. Backstage's
 * SidebarItem highlights itself (and sets aria-current) by comparing its
 * target with the location, and offers no other way to say "this one".
 */
function AtPath(props: { path: string; children: ReactNode }) {
  const location = useLocation();
  const navigationType = useNavigationType();
  const value = useMemo(
    () => ({
      location: { ...location, pathname: props.path },
      navigationType,
    }),
    [location, navigationType, props.path],
  );
  return (
    <LocationContext.Provider value={value}>
      {props.children}
    </LocationContext.Provider>
  );
}

/**
 * A sidebar item of the main menu. On a service's or a provider's page,
 * Marketplace is the highlighted item and Catalog is not.
 */
export function MarketplaceSidebarItem(props: {
  href: string;
  children: ReactNode;
}) {
  const { pathname } = useLocation();
  if (!isMarketplaceEntityPage(pathname)) {
    return <>{props.children}</>;
  }
  if (props.href === '/marketplace' || props.href === '/catalog') {
    // Marketplace matches /marketplace; Catalog does not.
    return <AtPath path="/marketplace">{props.children}</AtPath>;
  }
  return <>{props.children}</>;
}
