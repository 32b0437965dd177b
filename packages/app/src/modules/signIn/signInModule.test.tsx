import { render, screen } from '@testing-library/react';
import { createApp } from '@backstage/frontend-defaults';
import { signInModule } from '.';

/** Renders the app, signed out, with the given `marketplace` config. */
function renderSignedOut(marketplace: object) {
  process.env = {
    NODE_ENV: 'test',
    APP_CONFIG: [
      {
        data: {
          app: {
            title: 'Test',
            extensions: [
              {
                'sign-in-page:app': {
                  config: {
                    sampleUsers: [{ name: 'ada', role: 'admin' }],
                  },
                },
              },
            ],
          },
          backend: { baseUrl: 'http://localhost:7007' },
          marketplace,
        },
        context: 'test',
      },
    ] as any,
  };
  window.localStorage.clear();
  // A new app each time: an app reads its config once.
  render(createApp({ features: [signInModule] }).createRoot());
}

describe('the sign-in page', () => {
  // The first render of the app compiles its modules: slow in jest.
  jest.setTimeout(60_000);

  it('is the sample-user picker without an identity provider', async () => {
    renderSignedOut({});
    expect(
      await screen.findByRole(
        'list',
        { name: 'Sample users' },
        { timeout: 20_000 },
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('Sign in with your company account'),
    ).not.toBeInTheDocument();
  });

  it("is the identity provider's page when marketplace.signIn.provider is oidc", async () => {
    renderSignedOut({ signIn: { provider: 'oidc', title: 'Acme SSO' } });
    expect(
      await screen.findByText('Sign in with your company account', undefined, {
        timeout: 20_000,
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('Acme SSO')).toBeInTheDocument();
    expect(
      screen.queryByRole('list', { name: 'Sample users' }),
    ).not.toBeInTheDocument();
  });
});
