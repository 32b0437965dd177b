import { ModelServiceEndpoint } from '@internal/plugin-marketplace-common';
import { SecretResolver } from './secrets';

/** The credential a service names (`spec.endpoint.auth.secretRef`) is not configured. */
export class MissingUpstreamCredentialError extends Error {
  constructor(readonly secretRef: string | undefined) {
    super(
      `set marketplace.secrets.${secretRef} or the ${secretRef} environment variable`,
    );
    this.name = 'MissingUpstreamCredentialError';
  }
}

/**
 * The headers that authenticate a call to a service's upstream with the
 * provider's credential (`spec.endpoint.auth`): `Authorization: Bearer <secret>`,
 * or the secret in the header the service names. Used by the gateway and the
 * health prober. The secret is never logged.
 *
 * @throws MissingUpstreamCredentialError when the named secret is not configured
 */
export function upstreamAuthHeaders(
  endpoint: ModelServiceEndpoint,
  secrets: SecretResolver,
): Record<string, string> {
  const auth = endpoint.auth;
  if (auth.type === 'none') {
    return {};
  }
  const secret = auth.secretRef ? secrets.get(auth.secretRef) : undefined;
  if (!secret) {
    throw new MissingUpstreamCredentialError(auth.secretRef);
  }
  if (auth.type === 'bearer') {
    return { authorization: `Bearer ${secret}` };
  }
  return auth.header
    ? { [auth.header.toLocaleLowerCase('en-US')]: secret }
    : {};
}
