import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { PROVIDER_KIND } from '@internal/plugin-marketplace-common';
import { CredentialStore, fingerprintOf } from '../stores/CredentialStore';

/**
 * Environment variables a service may name directly (development only, like
 * plain config strings). Anything else must be put under `marketplace.secrets`
 * on purpose: a ModelService must not be able to make the gateway send an
 * arbitrary backend environment variable to an upstream of its choosing.
 */
export const SECRET_ENV_PREFIX = 'MARKETPLACE_SECRET_';

/** A credential from `marketplace.secrets`. */
interface ConfigSecret {
  value: string | undefined;
  /** Computed once: the gateway asks for it on every request. */
  fingerprint: string | null;
  /** Provider refs that may use it; null: unbound (plain string, development only). */
  providers: string[] | null;
}

/** Where a credential comes from and who may use it, without its value. */
export interface CredentialDescription {
  name: string;
  source: 'provider' | 'config' | null;
  /** The provider that owns it; null for an unbound development secret or when unknown. */
  owner: string | null;
  fingerprint: string | null;
  usable: boolean;
  problem: string | null;
}

/** The outcome of resolving a service's credential. */
export type CredentialResolution =
  | { ok: true; value: string; fingerprint: string }
  | { ok: false; reason: 'missing' | 'not_bound'; problem: string };

/** Who may use a credential name: provider refs, or null for every provider. */
export interface CredentialBinding {
  name: string;
  providers: string[] | null;
}

/** Normalized provider refs: the gateway resolves a credential per request. */
const normalizedRefs = new Map<string, string>();

/** A provider ref as the marketplace compares them: `provider:default/name`, lowercase. */
export function normalizeProviderRef(ref: string): string {
  let normalized = normalizedRefs.get(ref);
  if (normalized === undefined) {
    normalized = stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: PROVIDER_KIND,
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
    if (normalizedRefs.size > 10_000) {
      normalizedRefs.clear();
    }
    normalizedRefs.set(ref, normalized);
  }
  return normalized;
}

/**
 * Resolves the upstream credential a ModelService names with
 * `spec.endpoint.auth.secretRef`, for the service's provider only:
 *
 * 1. `marketplace.secrets.<NAME>: { value, providers: [...] }`: usable by the
 *    listed providers' services;
 * 2. the provider's own credentials, managed in the portal ({@link CredentialStore});
 * 3. development only (not when NODE_ENV is production): a plain
 *    `marketplace.secrets.<NAME>` string, or an environment variable
 *    `MARKETPLACE_SECRET_*`, usable by every provider (a warning at startup).
 *
 * A name that resolves to another provider's credential is refused: the
 * gateway and the prober never send it. Values are never logged.
 */
export class SecretResolver {
  private readonly configSecrets = new Map<string, ConfigSecret>();
  private readonly allowUnbound: boolean;

  constructor(
    config: Config,
    private readonly options: {
      env?: NodeJS.ProcessEnv;
      store?: CredentialStore;
      logger?: LoggerService;
    } = {},
  ) {
    const env = options.env ?? process.env;
    this.allowUnbound = env.NODE_ENV !== 'production';
    const secrets = config.getOptionalConfig('marketplace.secrets');
    for (const name of secrets?.keys() ?? []) {
      const raw = secrets!.getOptional(name);
      if (typeof raw === 'string' || raw === undefined || raw === null) {
        const value = typeof raw === 'string' && raw ? raw : undefined;
        this.configSecrets.set(name, {
          value,
          fingerprint: value ? fingerprintOf(value) : null,
          providers: null,
        });
        this.options.logger?.warn(
          this.allowUnbound
            ? `marketplace.secrets.${name} is a plain string: every provider's services may use it. Plain strings are for development only; bind it with { value, providers: [provider:default/...] }`
            : `marketplace.secrets.${name} is a plain string and is not used in production: bind it with { value, providers: [provider:default/...] }`,
        );
        continue;
      }
      const entry = secrets!.getConfig(name);
      const providers = entry.getStringArray('providers');
      if (providers.length === 0) {
        throw new Error(
          `marketplace.secrets.${name}.providers must name at least one provider (provider:default/<name>)`,
        );
      }
      const value = entry.getOptionalString('value') || undefined;
      this.configSecrets.set(name, {
        value,
        fingerprint: value ? fingerprintOf(value) : null,
        providers: providers.map(normalizeProviderRef),
      });
    }
  }

  /** Whether a name is taken by `marketplace.secrets` (providers cannot store one by that name). */
  isConfigSecret(name: string): boolean {
    return this.configSecrets.has(name);
  }

  /** The credential named `name`, if the provider `providerRef` may use it. */
  async resolve(
    name: string | undefined,
    providerRef: string,
  ): Promise<CredentialResolution> {
    const found = await this.find(name, providerRef, true);
    if (found.usable && found.value !== undefined) {
      return {
        ok: true,
        value: found.value,
        fingerprint: found.description.fingerprint!,
      };
    }
    return {
      ok: false,
      reason: found.description.source === null ? 'missing' : 'not_bound',
      problem: found.description.problem!,
    };
  }

  /** Where a service's credential comes from and whether its provider may use it; never the value. */
  async describe(
    name: string,
    providerRef: string,
  ): Promise<CredentialDescription> {
    return (await this.find(name, providerRef, false)).description;
  }

  /** Every credential name and who may use it (the catalog processor's check). */
  async bindings(): Promise<CredentialBinding[]> {
    const byName = new Map<string, string[] | null>();
    for (const [name, secret] of this.configSecrets) {
      if (secret.providers) {
        byName.set(name, secret.providers);
      } else if (this.allowUnbound) {
        byName.set(name, null);
      }
    }
    for (const c of (await this.options.store?.list()) ?? []) {
      if (this.configSecrets.has(c.name)) {
        continue;
      }
      const providers = byName.get(c.name);
      if (providers !== null) {
        byName.set(c.name, [...(providers ?? []), c.providerRef]);
      }
    }
    if (this.allowUnbound) {
      const env = this.options.env ?? process.env;
      for (const name of Object.keys(env)) {
        if (name.startsWith(SECRET_ENV_PREFIX) && env[name]) {
          if (!byName.has(name)) {
            byName.set(name, null);
          }
        }
      }
    }
    return [...byName].map(([name, providers]) => ({ name, providers }));
  }

  private async find(
    name: string | undefined,
    rawProviderRef: string,
    forUse: boolean,
  ): Promise<{
    value?: string;
    usable: boolean;
    description: CredentialDescription;
  }> {
    const providerRef = normalizeProviderRef(rawProviderRef);
    // Only the refusals read it; built on demand, not on every request.
    const ownOnly = () =>
      `Add it on the page of ${providerRef} (Upstream credentials), or ask the platform team to bind it to ${providerRef} in marketplace.secrets.`;
    if (!name) {
      return {
        usable: false,
        description: {
          name: '',
          source: null,
          owner: null,
          fingerprint: null,
          usable: false,
          problem:
            'The service names no credential (spec.endpoint.auth.secretRef)',
        },
      };
    }
    const configured = this.configSecrets.get(name);
    if (configured) {
      const fingerprint = configured.fingerprint;
      if (configured.providers === null) {
        const usable = this.allowUnbound && !!configured.value;
        let problem: string | null = null;
        if (!configured.value) {
          problem = `The credential '${name}' has no value in the portal config`;
        } else if (!usable) {
          problem = `The credential '${name}' is not bound to any provider (a plain string in marketplace.secrets is for development only). ${ownOnly()}`;
        }
        return {
          value: configured.value,
          usable,
          description: {
            name,
            source: 'config',
            owner: null,
            fingerprint,
            usable,
            problem,
          },
        };
      }
      const bound = configured.providers.includes(providerRef);
      let problem: string | null = null;
      if (!bound) {
        problem = `The credential '${name}' belongs to ${configured.providers.join(
          ', ',
        )}, not to ${providerRef}: a service may only use its own provider's credentials. ${ownOnly()}`;
      } else if (!configured.value) {
        problem = `The credential '${name}' has no value in the portal config`;
      }
      return {
        value: configured.value,
        usable: bound && !!configured.value,
        description: {
          name,
          source: 'config',
          owner: bound ? providerRef : configured.providers[0],
          fingerprint,
          usable: bound && !!configured.value,
          problem,
        },
      };
    }

    let own;
    try {
      own = forUse
        ? await this.options.store?.resolve(providerRef, name)
        : await this.options.store?.get(providerRef, name);
    } catch (error) {
      this.options.logger?.error(
        `Cannot read the credential ${name} of ${providerRef}: ${
          (error as Error).message
        }`,
      );
      return {
        usable: false,
        description: {
          name,
          source: 'provider',
          owner: providerRef,
          fingerprint: null,
          usable: false,
          problem: `The credential '${name}' of ${providerRef} cannot be decrypted; the platform team has been notified.`,
        },
      };
    }
    if (own) {
      return {
        value: 'value' in own ? own.value : undefined,
        usable: true,
        description: {
          name,
          source: 'provider',
          owner: providerRef,
          fingerprint: own.fingerprint,
          usable: true,
          problem: null,
        },
      };
    }

    const env = this.options.env ?? process.env;
    const fromEnv = name.startsWith(SECRET_ENV_PREFIX) ? env[name] : undefined;
    if (fromEnv && this.allowUnbound) {
      return {
        value: fromEnv,
        usable: true,
        description: {
          name,
          source: 'config',
          owner: null,
          fingerprint: fingerprintOf(fromEnv),
          usable: true,
          problem: null,
        },
      };
    }

    const others = (await this.options.store?.list())?.filter(
      c => c.name === name,
    );
    if (others && others.length > 0) {
      return {
        usable: false,
        description: {
          name,
          source: 'provider',
          owner: others[0].providerRef,
          fingerprint: null,
          usable: false,
          problem: `The credential '${name}' belongs to another provider, not to ${providerRef}: a service may only use its own provider's credentials. ${ownOnly()}`,
        },
      };
    }
    return {
      usable: false,
      description: {
        name,
        source: null,
        owner: null,
        fingerprint: null,
        usable: false,
        problem: `${providerRef} has no credential named '${name}'. ${ownOnly()}`,
      },
    };
  }
}
