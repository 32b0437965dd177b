import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { z } from 'zod/v4';
import { oidcAuthApi } from './oidc';

/**
 * Replaces the app's sign-in page (`sign-in-page:app`): the company's identity
 * provider when `marketplace.signIn.provider` is `oidc` (production), otherwise
 * the sample-user picker of development and the demo, whose users come from the
 * extension's config in app-config.yaml.
 */
const sampleUsersSignInPage = SignInPageBlueprint.makeWithOverrides({
  configSchema: {
    sampleUsers: z
      .array(
        z.object({
          name: z.string(),
          description: z.string().optional(),
          role: z.enum(['consumer', 'provider', 'admin']).default('consumer'),
        }),
      )
      .default([{ name: 'guest', role: 'consumer' }]),
  },
  factory(originalFactory, { config }) {
    return originalFactory({
      loader: async () => {
        const { MarketplaceSignInPage } = await import(
          './MarketplaceSignInPage'
        );
        return props => (
          <MarketplaceSignInPage {...props} sampleUsers={config.sampleUsers} />
        );
      },
    });
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [sampleUsersSignInPage, oidcAuthApi],
});
