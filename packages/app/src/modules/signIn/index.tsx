import {
  configApiRef,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
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
  factory(originalFactory, { config, apis }) {
    return originalFactory({
      // Only the page in use is loaded: the identity provider's page (core
      // components' SignInPage) brings a form library the sample-user picker,
      // on the way to every page of the demo, does without.
      loader: async () => {
        const provider = apis
          .get(configApiRef)
          ?.getOptionalString('marketplace.signIn.provider');
        if (provider === 'oidc') {
          const { OidcSignInPage } = await import('./OidcSignInPage');
          return props => <OidcSignInPage {...props} />;
        }
        const { SampleUsersSignInPage } = await import(
          './SampleUsersSignInPage'
        );
        return props => (
          <SampleUsersSignInPage {...props} sampleUsers={config.sampleUsers} />
        );
      },
    });
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [sampleUsersSignInPage, oidcAuthApi],
});
