// A local OpenID Connect provider for the production-identity journey
// (scripts/e2e-identity.sh): the `oidc-provider` package with its development
// login form, where any name signs in. A name becomes the e-mail `<name>@acme.io`,
// which the portal's sign-in resolver matches against the catalog's users.
//
// Settings in OIDC_TEST_SERVER (JSON): { port, clientId, clientSecret, redirectUri }.
import Provider from 'oidc-provider';

const { port, clientId, clientSecret, redirectUri } = JSON.parse(
  process.env.OIDC_TEST_SERVER,
);

const provider = new Provider(`http://localhost:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  pkce: { required: () => false },
  // Backstage keeps the session by refreshing it.
  issueRefreshToken: async (_ctx, client) =>
    client.grantTypeAllowed('refresh_token'),
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['e2e-identity-only'] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@acme.io`,
          email_verified: true,
          name: id,
        };
      },
    };
  },
  // Consent is given by signing in (a first-party client).
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile offline_access');
    await grant.save();
    return grant;
  },
});
provider.proxy = true;
provider.listen(port, () => {
  console.log(`oidc ready ${port}`);
});
