import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { MARKETPLACE_SERVICE_RESOURCE_TYPE } from '@internal/plugin-marketplace-common';
import { z } from 'zod';

/**
 * A ModelService as the permission framework sees it: its ref and its owning
 * group (a full, lowercase entity ref).
 */
export interface ServiceResource {
  ref: string;
  owner: string;
}

/** Conditions on services as an in-memory filter: owners allowed. */
export interface ServiceQuery {
  owners: string[];
}

export const serviceResourceRef = createPermissionResourceRef<
  ServiceResource,
  ServiceQuery
>().with({
  pluginId: 'marketplace',
  resourceType: MARKETPLACE_SERVICE_RESOURCE_TYPE,
});

/** A group ref in its full, lowercase form (`group:default/name`). */
export function normalizeGroupRef(ref: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'group', defaultNamespace: 'default' }),
  ).toLocaleLowerCase('en-US');
}

/** A group ref in full lowercase form; '' when it is not a ref at all. */
export function ownerRefOf(ref: string): string {
  try {
    return normalizeGroupRef(ref);
  } catch {
    return '';
  }
}

function normalizeClaims(claims: string[]): string[] {
  return claims.map(c => c.toLocaleLowerCase('en-US'));
}

/** `IS_SERVICE_OWNER`: the service's owner is one of the claims. */
export const isServiceOwner = createPermissionRule({
  name: 'IS_SERVICE_OWNER',
  description:
    'Allow ModelServices owned by one of the given entity refs (typically the caller’s ownership entity refs)',
  resourceRef: serviceResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe(
        'Entity refs (users, groups) whose services are allowed, e.g. group:default/ai-platform-team',
      ),
  }),
  apply: (resource, { claims }) =>
    normalizeClaims(claims).includes(resource.owner),
  toQuery: ({ claims }) => ({ owners: normalizeClaims(claims) }),
});

export const serviceRules = [isServiceOwner];
