import {
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

const entityNames = makeValidator();

/**
 * An entity ref of a kind from a query or body field, in full lowercase form;
 * 400 for anything else, including names no catalog entity can have.
 */
function entityRefOf(
  kind: 'user' | 'group',
  value: string,
  field: string,
): string {
  let parsed;
  try {
    parsed = parseEntityRef(value, {
      defaultKind: kind,
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new InputError(`Invalid ${field}: ${(error as Error).message}`);
  }
  if (parsed.kind.toLocaleLowerCase('en-US') !== kind) {
    throw new InputError(`Invalid ${field}: must be a ${kind}, got ${value}`);
  }
  if (
    !entityNames.isValidNamespace(parsed.namespace) ||
    !entityNames.isValidEntityName(parsed.name)
  ) {
    throw new InputError(
      `Invalid ${field}: ${JSON.stringify(value)} is not a valid ${kind} name`,
    );
  }
  return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
}

/** A group ref from a query or body field, in full lowercase form; 400 otherwise. */
export function groupRef(value: string, field: string): string {
  return entityRefOf('group', value, field);
}

/** A user ref from a query field, in full lowercase form; 400 otherwise. */
export function userRef(value: string, field: string): string {
  return entityRefOf('user', value, field);
}
