import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';

/**
 * Parses a possibly shorthand entity ref from a spec field ("acme", "provider:acme",
 * "provider:default/acme") into a full ref. EntityRefLink does not apply its
 * `defaultKind` when building the link of a string ref, so callers pass the result.
 */
export function toEntityRef(
  ref: string | undefined,
  defaultKind: string,
  defaultNamespace = 'default',
): CompoundEntityRef | undefined {
  if (!ref) {
    return undefined;
  }
  try {
    return parseEntityRef(ref, { defaultKind, defaultNamespace });
  } catch {
    return undefined;
  }
}
