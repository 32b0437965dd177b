import { screen, waitFor } from '@testing-library/react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import {
  SidebarOpenStateProvider,
  SidebarPinStateProvider,
} from '@backstage/core-components';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AdminNavGroup } from './AdminNavGroup';

// usePermission caches decisions per test file (SWR): the admin case is in
// AdminNavGroup.test.tsx.

/** Renders the group for a user whom the permission framework gives only `allowed`. */
async function renderFor(allowed: string[]) {
  const asked: string[] = [];
  const permissionApi = mockApis.permission({
    authorize: request => {
      asked.push(request.permission.name);
      return allowed.includes(request.permission.name)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY;
    },
  });
  await renderInTestApp(
    <SidebarOpenStateProvider value={{ isOpen: true, setOpen() {} }}>
      <SidebarPinStateProvider
        value={{ isPinned: true, isMobile: false, toggleSidebarPinState() {} }}
      >
        <AdminNavGroup>
          <a href="/admin/users">Users</a>
        </AdminNavGroup>
      </SidebarPinStateProvider>
    </SidebarOpenStateProvider>,
    { apis: [[permissionApiRef, permissionApi]] },
  );
  return asked;
}

describe('AdminNavGroup for non-admins', () => {
  it('hides the admin pages from everyone without marketplace.admin.users.read', async () => {
    const asked = await renderFor(['marketplace.service.publish']);
    await waitFor(() =>
      expect(asked).toContain('marketplace.admin.users.read'),
    );
    expect(screen.queryByRole('link', { name: 'Users' })).toBeNull();
    expect(screen.queryByText('Admin')).toBeNull();
  });
});
