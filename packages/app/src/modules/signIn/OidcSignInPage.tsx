import { SignInPage } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import { oidcAuthApiRef } from './oidc';

/**
 * Production: sign-in through the identity provider named by
 * `marketplace.signIn.provider` (`oidc`).
 */
export function OidcSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
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
