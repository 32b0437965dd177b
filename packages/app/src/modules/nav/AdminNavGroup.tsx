import { ReactNode } from 'react';
import {
  SidebarDivider,
  SidebarGroup,
  useSidebarOpenState,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { marketplaceUsersReadPermission } from '@internal/plugin-marketplace-common';
import AdminIcon from '@material-ui/icons/SupervisorAccount';

/**
 * The marketplace's admin pages (Users, Approvals, Audit log), shown only to
 * users the permission framework lets read the users list: the admins. Hiding
 * them is a convenience; the marketplace API refuses everyone else with 403.
 */
export function AdminNavGroup(props: { children: ReactNode }) {
  const { allowed } = usePermission({
    permission: marketplaceUsersReadPermission,
  });
  const { isOpen } = useSidebarOpenState();
  if (!allowed) {
    return null;
  }
  return (
    <SidebarGroup label="Admin" icon={<AdminIcon />}>
      <SidebarDivider />
      {isOpen && (
        <div
          style={{
            padding: '4px 24px',
            fontSize: 11,
            letterSpacing: 1,
            textTransform: 'uppercase',
            color: 'rgba(255, 255, 255, 0.6)',
          }}
        >
          Admin
        </div>
      )}
      {props.children}
    </SidebarGroup>
  );
}
