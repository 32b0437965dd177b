import { screen } from '@testing-library/react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { GettingStarted } from './homeModule';

describe('GettingStarted for providers', () => {
  it('points providers to the publish template as well as catalog-info.yaml', async () => {
    await renderInTestApp(<GettingStarted />, {
      apis: [
        [
          permissionApiRef,
          mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
        ],
      ],
    });
    expect(
      await screen.findByRole('link', { name: 'Publish LLM service' }),
    ).toHaveAttribute('href', '/create/templates/default/publish-llm-service');
    expect(screen.getByText(/catalog-info.yaml/)).toBeInTheDocument();
  });
});
