import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarScrollWrapper,
  SidebarSpace,
} from '@backstage/core-components';
import { NavContentBlueprint } from '@backstage/plugin-app-react';
import { SidebarLogo } from './SidebarLogo';
import MenuIcon from '@material-ui/icons/Menu';
import SearchIcon from '@material-ui/icons/Search';
import { SidebarSearchModal } from '@backstage/plugin-search';
import { UserSettingsSignInAvatar } from '@backstage/plugin-user-settings';
import { AdminNavGroup } from './AdminNavGroup';
import { ProviderNavItem } from './ProviderNavItem';
import { NotificationsNavItem } from './NotificationsNavItem';
import { MarketplaceSidebarItem } from './MarketplaceSidebarItem';

export const SidebarContent = NavContentBlueprint.make({
  params: {
    component: ({ navItems }) => {
      const nav = navItems.withComponent(item => (
        <MarketplaceSidebarItem href={item.href}>
          <SidebarItem
            icon={() => item.icon}
            to={item.href}
            text={item.title}
            // /marketplace is the parent path of My subscriptions and the
            // provider dashboard: without this, two items are highlighted.
            end={item.href === '/marketplace'}
          />
        </MarketplaceSidebarItem>
      ));

      // Skipped items
      nav.take('page:search'); // Using search modal instead
      nav.take('page:notifications'); // Using NotificationsSidebarItem manually instead
      // The marketplace's admin pages: in their own group, for admins only
      const adminUsers = nav.take('page:marketplace/admin-users');
      const adminApprovals = nav.take('page:marketplace/admin-approvals');
      const adminAudit = nav.take('page:marketplace/admin-audit');
      const adminBudgets = nav.take('page:marketplace/admin-budgets');

      return (
        <Sidebar>
          <SidebarLogo />
          <SidebarGroup label="Search" icon={<SearchIcon />} to="/search">
            <SidebarSearchModal />
          </SidebarGroup>
          <SidebarDivider />
          <SidebarGroup label="Menu" icon={<MenuIcon />}>
            {nav.take('page:home')}
            {/* Marketplace (@internal/plugin-marketplace) near the top */}
            {nav.take('page:marketplace')}
            {nav.take('page:marketplace/finder')}
            {nav.take('page:marketplace/subscriptions')}
            <ProviderNavItem>
              {nav.take('page:marketplace/provider')}
            </ProviderNavItem>
            {nav.take('page:catalog')}
            {nav.take('page:scaffolder')}
            <SidebarDivider />
            <SidebarScrollWrapper>
              {nav.rest({ sortBy: 'title' })}
            </SidebarScrollWrapper>
          </SidebarGroup>
          <AdminNavGroup>
            {adminUsers}
            {adminApprovals}
            {adminAudit}
            {adminBudgets}
          </AdminNavGroup>
          <SidebarSpace />
          <SidebarDivider />
          <NotificationsNavItem />
          <SidebarDivider />
          <SidebarGroup
            label="Settings"
            icon={<UserSettingsSignInAvatar />}
            to="/settings"
          >
            {nav.take('page:user-settings')}
          </SidebarGroup>
        </Sidebar>
      );
    },
  },
});
