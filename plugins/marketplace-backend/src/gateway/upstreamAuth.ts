import { ModelServiceEndpoint } from '@internal/plugin-marketplace-common';
import { SecretResolver } from './secrets';

/**
 * The service may not use the credential it names: it is not configured, or it
 * belongs to another provider. The message is for the provider and never
 * contains the value.
 */
export class UpstreamCredentialError extends Error {
  constructor(readonly reason: 'missing' | 'not_bound', message: string) {
    super(message);
    this.name = 'UpstreamCredentialError';
  }
}

/**
 * The headers that authenticate a call to a service's upstream with its
 * provider's credential (`spec.endpoint.auth`): `Authorization: Bearer <secret>`,
 * or the secret in the header the service names. The credential must belong to
 * the service's provider (`spec.providedBy`), checked on every call. Used by the
 * gateway and the health prober. The secret is never logged.
 *
 * @throws UpstreamCredentialError when the credential is missing or not the provider's
 */
export async function upstreamAuthHeaders(
  endpoint: ModelServiceEndpoint,
  providerRef: string,
  secrets: SecretResolver,
): Promise<Record<string, string>> {
  const auth = endpoint.auth;
  if (auth.type === 'none') {
    return {};
  }
  const resolved = await secrets.resolve(auth.secretRef, providerRef);
  if (!resolved.ok) {
    throw new UpstreamCredentialError(resolved.reason, resolved.problem);
  }
  if (auth.type === 'bearer') {
    return { authorization: `Bearer ${resolved.value}` };
  }
  return auth.header
    ? { [auth.header.toLocaleLowerCase('en-US')]: resolved.value }
    : {};
}
