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

  private bindingsRead?: Promise<Map<string, string[] | null> | undefined>;

  /**
   * Which providers may use each credential name (never a value), as the
   * catalog processor checks it; undefined when the portal does not tell this
   * caller (only service tokens, e.g. a static token of
   * `backend.auth.externalAccess`, may read the bindings). Read once per run.
   */
  credentialBindings(): Promise<Map<string, string[] | null> | undefined> {
    this.bindingsRead ??= this.get(
      '/api/marketplace/v1/internal/credential-bindings',
    ).then(res => {
      if (res.status !== 200 || !Array.isArray(res.body?.bindings)) {
        return undefined;
      }
      return new Map(
        (
          res.body.bindings as { name: string; providers: string[] | null }[]
        ).map(b => [
          b.name,
          b.providers?.map(p => p.toLocaleLowerCase('en-US')) ?? null,
        ]),
      );
    });
    return this.bindingsRead;
  }
}

const LOCATION = 'backstage.io/managed-by-location';

/**
 * Checks what only the portal knows: that `spec.providedBy` and `spec.owner`
 * name entities of its catalog (or of the files checked together), that
 * `spec.endpoint.auth.secretRef` names a credential the service's provider may
 * use, and that
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

  // The upstream credential: one its provider may use (the processor's check).
  const auth = (spec.endpoint as any)?.auth;
  if (
    entry.kind === MODEL_SERVICE_KIND &&
    auth &&
    auth.type !== 'none' &&
    typeof auth.secretRef === 'string' &&
    auth.secretRef &&
    typeof spec.providedBy === 'string'
  ) {
    let providerRef: string | undefined;
    try {
      providerRef = stringifyEntityRef(
        parseEntityRef(spec.providedBy, {
          defaultKind: PROVIDER_KIND,
          defaultNamespace: namespace,
        }),
      ).toLocaleLowerCase('en-US');
    } catch {
      providerRef = undefined; // the offline check names it
    }
    const bindings = providerRef
      ? await portal.credentialBindings()
      : undefined;
    if (providerRef && !bindings) {
      add(
        'spec.endpoint.auth.secretRef',
        `was not checked: the portal tells which credentials a provider may use to service tokens only (a static token of backend.auth.externalAccess)`,
        'warning',
      );
    } else if (providerRef && bindings) {
      const name = auth.secretRef as string;
      const allowed = bindings.get(name);
      if (allowed === undefined) {
        add(
          'spec.endpoint.auth.secretRef',
          `names '${name}', but ${providerRef} has no credential of that name. Add it on the provider's page (Upstream credentials), or ask the platform team to bind it to ${providerRef} in marketplace.secrets`,
        );
      } else if (allowed !== null && !allowed.includes(providerRef)) {
        add(
          'spec.endpoint.auth.secretRef',
          `names the credential '${name}', which belongs to ${allowed.join(
            ', ',
          )}, not to ${providerRef}; a service may only use its own provider's credentials`,
        );
      }
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
