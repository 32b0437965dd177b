import { screen, waitFor } from '@testing-library/react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { GettingStarted } from './homeModule';

describe('GettingStarted for consumers', () => {
  it('offers no provider features to users who cannot publish', async () => {
    const asked: string[] = [];
    await renderInTestApp(<GettingStarted />, {
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
    });
    expect(
      await screen.findByRole('link', { name: 'My subscriptions' }),
    ).toBeInTheDocument();
    await waitFor(() => expect(asked).toContain('marketplace.service.publish'));
    expect(screen.queryByText(/Publish a service/)).toBeNull();
  });
});
