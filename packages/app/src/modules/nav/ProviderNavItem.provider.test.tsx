import { screen } from '@testing-library/react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ProviderNavItem } from './ProviderNavItem';

describe('ProviderNavItem for providers', () => {
  it('shows the provider dashboard to users who may publish', async () => {
    await renderInTestApp(
      <ProviderNavItem>
        <a href="/marketplace/provider">Provider dashboard</a>
      </ProviderNavItem>,
      {
        apis: [
          [
            permissionApiRef,
            mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
          ],
        ],
      },
    );
    expect(
      await screen.findByRole('link', { name: 'Provider dashboard' }),
    ).toBeInTheDocument();
  });
});
