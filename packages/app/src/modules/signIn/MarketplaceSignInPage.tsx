import { SignInPage } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import { oidcAuthApiRef } from './oidc';
import { SampleUser, SampleUsersSignInPage } from './SampleUsersSignInPage';

/**
 * Production signs in through the identity provider named by
 * `marketplace.signIn.provider` (`oidc`); without it, the sample-user picker of
 * development and the demo (which the backend refuses in production).
 */
export function MarketplaceSignInPage(
  props: SignInPageProps & { sampleUsers: SampleUser[] },
) {
  const config = useApi(configApiRef);
  if (config.getOptionalString('marketplace.signIn.provider') === 'oidc') {
    const title =
      config.getOptionalString('marketplace.signIn.title') ?? 'Company account';
    return (
      <SignInPage
        onSignInSuccess={props.onSignInSuccess}
        title="LLM Marketplace"
        providers={[
          {
            id: 'oidc',
            title,
            message: 'Sign in with your company account',
            apiRef: oidcAuthApiRef,
          },
        ]}
      />
    );
  }
  return <SampleUsersSignInPage {...props} />;
}
