import { screen, waitFor } from '@testing-library/react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ProviderNavItem } from './ProviderNavItem';

// usePermission caches decisions per test file: one case per file.
describe('ProviderNavItem', () => {
  it('hides the provider dashboard from users who cannot publish', async () => {
    const asked: string[] = [];
    await renderInTestApp(
      <ProviderNavItem>
        <a href="/marketplace/provider">Provider dashboard</a>
      </ProviderNavItem>,
      {
        apis: [
          [
            permissionApiRef,
            mockApis.permission({
              authorize: request => {
                asked.push(request.permission.name);
                return AuthorizeResult.DENY;
              },
            }),
          ],
        ],
      },
    );
    await waitFor(() => expect(asked).toContain('marketplace.service.publish'));
    expect(
      screen.queryByRole('link', { name: 'Provider dashboard' }),
    ).toBeNull();
  });
});
