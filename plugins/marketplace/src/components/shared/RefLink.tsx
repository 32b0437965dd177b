import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { toEntityRef } from './refs';

/** Link to the entity a spec field references; plain text if it can't be parsed. */
export function RefLink(props: {
  entityRef: string | undefined;
  defaultKind: string;
  defaultNamespace?: string;
}) {
  const { entityRef, defaultKind, defaultNamespace } = props;
  const parsed = toEntityRef(entityRef, defaultKind, defaultNamespace);
  if (!parsed) {
    return entityRef ? <>{entityRef}</> : null;
  }
  return <EntityRefLink entityRef={parsed} hideIcon />;
}
