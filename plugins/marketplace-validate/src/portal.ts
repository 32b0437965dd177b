import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  MODEL_SERVICE_KIND,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';
import { EntityReport, Finding } from './validate';

type Fetch = typeof fetch;

/** The portal could not be asked (unreachable, bad token). */
export class PortalError extends Error {}

/** The parts of a portal the online check reads, with the caller's token. */
export class PortalClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  private async get(path: string): Promise<{ status: number; body: any }> {
    const response = await this.fetchImpl(
      `${this.baseUrl.replace(/\/+$/, '')}${path}`,
      {
        headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
      },
    );
    let body: any;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  }

  /** The catalog entity, or undefined when the portal has none (or hides it from the caller). */
  async entity(ref: string): Promise<any | undefined> {
    const { kind, namespace, name } = parseEntityRef(ref);
    const res = await this.get(
      `/api/catalog/entities/by-name/${encodeURIComponent(
        kind,
      )}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`,
    );
    if (res.status === 404) {
      return undefined;
    }
    if (res.status !== 200) {
      throw new PortalError(
        `the catalog answered ${res.status} for ${ref}${
          res.body?.error?.message ? `: ${res.body.error.message}` : ''
        }`,
      );
    }
    return res.body;
  }

  /**
   * Whether a new ModelService may take a name (pending and rejected services
   * included, which the catalog hides); undefined when the portal does not tell
   * this caller (e.g. a token that is not a user's).
   */
  async serviceName(
    name: string,
  ): Promise<{ available: boolean; reason?: string } | undefined> {
    const res = await this.get(
      `/api/marketplace/v1/provider/service-names/${encodeURIComponent(name)}`,
    );
    return res.status === 200 ? res.body : undefined;
  }
}

const LOCATION = 'backstage.io/managed-by-location';

/**
 * Checks what only the portal knows: that `spec.providedBy` and `spec.owner`
 * name entities of its catalog (or of the files checked together), and that
 * the entity's name is free, or already this file's (`location`: the URL the
 * file is registered from).
 */
export async function checkAgainstPortal(
  entry: EntityReport,
  portal: PortalClient,
  options: { location?: string; sameRun: Set<string> },
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const spec = (entry.entity.spec ?? {}) as Record<string, unknown>;
  const namespace = entry.entity.metadata?.namespace ?? 'default';
  const add = (
    field: string,
    message: string,
    severity: Finding['severity'] = 'error',
  ) =>
    findings.push({
      field,
      message,
      severity,
      line: entry.lineOf(field) ?? entry.line,
    });

  const references: [string, unknown, string, string][] = [
    ['spec.owner', spec.owner, 'Group', 'group'],
  ];
  if (entry.kind === MODEL_SERVICE_KIND) {
    references.push([
      'spec.providedBy',
      spec.providedBy,
      PROVIDER_KIND,
      'Provider',
    ]);
  }
  for (const [field, value, defaultKind, what] of references) {
    if (typeof value !== 'string' || !value) {
      continue; // the offline check names it
    }
    let ref: string;
    try {
      ref = stringifyEntityRef(
        parseEntityRef(value, { defaultKind, defaultNamespace: namespace }),
      );
    } catch {
      continue;
    }
    if (!options.sameRun.has(ref) && !(await portal.entity(ref))) {
      add(
        field,
        `names ${ref}, but there is no such ${what} in the portal's catalog`,
      );
    }
  }

  const selfRef = stringifyEntityRef({
    kind: entry.kind,
    namespace,
    name: entry.name,
  });
  const existing = await portal.entity(selfRef);
  const existingLocation: string | undefined =
    existing?.metadata?.annotations?.[LOCATION];
  const isThisFile =
    !!options.location && existingLocation === `url:${options.location}`;
  if (existing && !isThisFile) {
    if (options.location) {
      add(
        'metadata.name',
        `is taken: ${selfRef} is already in the catalog from ${existingLocation}; choose another name`,
      );
    } else {
      add(
        'metadata.name',
        `is already in the catalog (from ${existingLocation}): fine if that is this file; otherwise choose another name (pass --location <url of this file> to tell)`,
        'warning',
      );
    }
  } else if (!existing && entry.kind === MODEL_SERVICE_KIND) {
    const name = await portal.serviceName(entry.name);
    if (name && !name.available) {
      add('metadata.name', `is taken: ${name.reason ?? 'choose another name'}`);
    }
  }
  return findings;
}
