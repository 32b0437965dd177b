import { SidebarItem } from '@backstage/core-components';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';
import NotificationsIcon from '@material-ui/icons/Notifications';
import { Tag, TagGroup } from '@backstage/ui';

/** The accessible name of the Notifications item: the words and the count shown. */
export function notificationsLabel(unreadCount: number): string {
  if (unreadCount <= 0) {
    return 'Notifications';
  }
  return `Notifications ${unreadCount > 99 ? '99+' : unreadCount} unread`;
}

/**
 * Backstage's Notifications sidebar item, except that its accessible name
 * says what it shows: the plugin names the link "Notifications" while it
 * shows the unread count as well (axe: label-content-name-mismatch).
 */
export function NotificationsNavItem() {
  return (
    <NotificationsSidebarItem
      renderItem={({ unreadCount, to, onClick }) => (
        <SidebarItem
          to={to}
          onClick={onClick}
          text="Notifications"
          icon={NotificationsIcon}
          aria-label={notificationsLabel(unreadCount)}
        >
          {unreadCount > 0 && (
            <>
              {/* The words of the label and the count, apart: axe reads the
                  item's visible text without a space otherwise. */}{' '}
              <TagGroup aria-label="Unread notifications">
                <Tag size="small">
                  {unreadCount > 99 ? '99+' : String(unreadCount)}
                </Tag>
              </TagGroup>
            </>
          )}
        </SidebarItem>
      )}
    />
  );
}
