import { useMemo } from 'react';
import { Link, useLocation, useResolvedPath } from 'react-router-dom';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import {
  BreadcrumbEntry,
  PageLayout as PageLayoutRef,
  PageLayoutProps,
  useBreadcrumbEntries,
} from '@backstage/frontend-plugin-api';
import { SwappableComponentBlueprint } from '@backstage/plugin-app-react';
import { PluginHeader } from '@backstage/ui';

/** The tab whose page the location is on: the longest matching href. */
export function currentTab(
  tabs: Array<{ id: string; href: string }>,
  pathname: string,
): string | false {
  let best: { id: string; length: number } | undefined;
  for (const tab of tabs) {
    const href = tab.href.replace(/\/+$/, '');
    if (
      (pathname === href || pathname.startsWith(`${href}/`)) &&
      href.length > (best?.length ?? -1)
    ) {
      best = { id: tab.id, length: href.length };
    }
  }
  return best?.id ?? false;
}

/**
 * The app's page layout: plugin-app's (Backstage UI's PluginHeader with the
 * page's breadcrumbs), except for the sub-page tabs. PluginHeader draws them
 * as react-aria tabs whose aria-controls names a tab panel that is never
 * rendered (the sub-page is routed, not a panel), which axe reports as an
 * invalid ARIA attribute (critical). Here they are links in a tab bar of
 * their own, the selected one marked.
 */
export function MarketplacePageLayout(props: PageLayoutProps) {
  const { title, icon, noHeader, titleLink, headerActions, tabs, children } =
    props;
  const parentPath = useResolvedPath('.').pathname.replace(/\/$/, '');
  const { pathname } = useLocation();
  const resolvedTabs = useMemo(
    () =>
      tabs?.map(tab => ({
        ...tab,
        href: tab.href.startsWith('/')
          ? tab.href
          : `${parentPath}/${tab.href}`.replace(/\/{2,}/g, '/'),
      })) ?? [],
    [tabs, parentPath],
  );
  const { items: breadcrumbs } = useBreadcrumbEntries();
  if (noHeader) {
    return <>{children}</>;
  }
  const content = (
    <>
      <PluginHeader
        title={title}
        icon={icon}
        titleLink={titleLink}
        breadcrumbs={breadcrumbs}
        customActions={headerActions}
      />
      {resolvedTabs.length > 0 && (
        <Tabs
          value={currentTab(resolvedTabs, pathname)}
          aria-label={title ? `${title} pages` : 'Pages'}
          variant="scrollable"
          scrollButtons="auto"
          sx={{ px: 2, borderBottom: 1, borderColor: 'divider' }}
        >
          {resolvedTabs.map(tab => (
            <Tab
              key={tab.id}
              value={tab.id}
              label={tab.label}
              component={Link}
              to={tab.href}
              sx={{
                textTransform: 'none',
                color: 'text.secondary',
                '&.Mui-selected': { color: 'primary.main' },
              }}
            />
          ))}
        </Tabs>
      )}
      {children}
    </>
  );
  if (!title) {
    return content;
  }
  return (
    <BreadcrumbEntry
      entry={{ label: title, href: titleLink ?? (parentPath || '/') }}
    >
      {content}
    </BreadcrumbEntry>
  );
}

export const pageLayout = SwappableComponentBlueprint.make({
  name: 'core-page-layout',
  params: define =>
    define({
      component: PageLayoutRef,
      loader: () => MarketplacePageLayout,
    }),
});
