import { useRouteRef } from '@backstage/frontend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { MODEL_SERVICE_KIND } from '@internal/plugin-marketplace-common';
import { ServiceCard } from '../../api';

/** The entity page of a service: `/catalog/<namespace>/modelservice/<name>`. */
export function useEntityPath(): (card: ServiceCard) => string {
  const entityRoute = useRouteRef(entityRouteRef);
  return card => {
    let namespace = 'default';
    try {
      namespace = parseEntityRef(card.ref).namespace;
    } catch {
      // keep the default namespace
    }
    const params = {
      namespace,
      kind: MODEL_SERVICE_KIND.toLocaleLowerCase('en-US'),
      name: card.name,
    };
    return entityRoute
      ? entityRoute(params)
      : `/catalog/${params.namespace}/${params.kind}/${params.name}`;
  };
}

/** The provider's profile page in the portal. */
export function providerProfilePath(providerRef: string): string {
  let name = providerRef;
  try {
    name = parseEntityRef(providerRef, { defaultKind: 'provider' }).name;
  } catch {
    // keep the ref as it is
  }
  return `/marketplace/providers/${encodeURIComponent(name)}`;
}
