import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  ProviderCredential,
  ProviderCredentialsResponse,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import { CredentialMeta, CredentialStore } from '../stores/CredentialStore';
import { SecretResolver } from '../gateway/secrets';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { Access, Caller, ownerRefOf } from './access';

export interface CredentialsRouterOptions {
  access: Access;
  httpAuth: HttpAuthService;
  logger: LoggerService;
  directory: ServiceDirectory;
  credentials: CredentialStore;
  secrets: SecretResolver;
}

/**
 * A credential's value: no spaces around it and no control characters (it is
 * sent in an HTTP header). The document checks its length; its patterns would
 * answer with a regular expression, these name the problem. The value is never
 * echoed: messages name the field only.
 */
function credentialValue(value: string): string {
  if (value.trim() !== value) {
    throw new InputError(
      "Invalid body field 'value': must not start or end with spaces",
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) {
    throw new InputError(
      "Invalid body field 'value': must not contain line breaks or control characters (it is sent in an HTTP header)",
    );
  }
  return value;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Upstream credentials that a provider's owners manage (write-only: the value
 * is never returned, only its fingerprint), and the bindings the catalog
 * module checks ModelServices against (service principals only).
 */
export function createCredentialsRouter(
  options: CredentialsRouterOptions,
): express.Router {
  const { access, directory, credentials, secrets, logger } = options;
  const router = createApiRouter();
  /** The provider of the path, if the caller owns it (or is an admin). */
  async function ownedProvider(req: ApiRequest): Promise<{
    me: Caller;
    providerRef: string;
  }> {
    const me = await access.caller(req);
    const { id } = req.params;
    const providerRef = `provider:default/${id}`.toLocaleLowerCase('en-US');
    const provider = directory.provider(providerRef);
    if (!provider) {
      throw new NotFoundError(`No provider named '${id}'`);
    }
    const decision = await access.manageDecision(me);
    if (
      !access.canManage(decision, {
        ref: providerRef,
        owner: ownerRefOf(provider.spec.owner),
      })
    ) {
      throw new NotAllowedError(
        `Only members of ${provider.spec.owner} (or admins) manage the credentials of ${providerRef}`,
      );
    }
    return { me, providerRef };
  }

  function usedBy(providerRef: string, name: string): string[] {
    return directory
      .list()
      .filter(
        s =>
          s.providerRef === providerRef &&
          s.entity.spec.endpoint.auth.type !== 'none' &&
          s.entity.spec.endpoint.auth.secretRef === name,
      )
      .map(s => s.name)
      .sort();
  }

  function view(c: CredentialMeta): ProviderCredential {
    return {
      name: c.name,
      providerRef: c.providerRef,
      fingerprint: c.fingerprint,
      version: c.version,
      createdBy: c.createdBy,
      createdAt: iso(c.createdAt),
      updatedBy: c.updatedBy,
      updatedAt: iso(c.updatedAt),
      lastUsedAt: c.lastUsedAt === null ? null : iso(c.lastUsedAt),
      usedBy: usedBy(c.providerRef, c.name),
    };
  }

  function requireStorage() {
    if (!credentials.enabled) {
      throw new ServiceUnavailableError(
        'The portal cannot store credentials: the platform team has not configured marketplace.credentials.encryptionKeys',
      );
    }
  }

  router.get('/v1/providers/:id/credentials', async (req, res) => {
    const { providerRef } = await ownedProvider(req);
    const configCredentials = [];
    for (const { name, providers } of await secrets.bindings()) {
      if (providers?.includes(providerRef) && secrets.isConfigSecret(name)) {
        const d = await secrets.describe(name, providerRef);
        configCredentials.push({ name, fingerprint: d.fingerprint });
      }
    }
    const response: ProviderCredentialsResponse = {
      credentials: (await credentials.list(providerRef)).map(view),
      configCredentials,
      storageEnabled: credentials.enabled,
    };
    res.json(response);
  });

  router.post('/v1/providers/:id/credentials', async (req, res) => {
    const { me, providerRef } = await ownedProvider(req);
    const { name } = req.body;
    const value = credentialValue(req.body.value);
    requireStorage();
    if (secrets.isConfigSecret(name)) {
      throw new ConflictError(
        `Invalid body field 'name': '${name}' is a credential of the portal config (marketplace.secrets); choose another name`,
      );
    }
    const created = await credentials.create({
      providerRef,
      name,
      value,
      actor: me.userRef,
    });
    logger.info(
      `${me.userRef} added the credential ${name} of ${providerRef} (${created.fingerprint})`,
    );
    res.status(201).json({ credential: view(created) });
  });

  router.put('/v1/providers/:id/credentials/:name', async (req, res) => {
    const { me, providerRef } = await ownedProvider(req);
    const { name } = req.params;
    const value = credentialValue(req.body.value);
    requireStorage();
    const rotated = await credentials.rotate({
      providerRef,
      name,
      value,
      actor: me.userRef,
    });
    logger.info(
      `${me.userRef} rotated the credential ${name} of ${providerRef} (now ${rotated.fingerprint}, version ${rotated.version})`,
    );
    res.json({ credential: view(rotated) });
  });

  router.delete('/v1/providers/:id/credentials/:name', async (req, res) => {
    const { me, providerRef } = await ownedProvider(req);
    const { name } = req.params;
    const deleted = await credentials.delete({
      providerRef,
      name,
      actor: me.userRef,
    });
    logger.info(
      `${me.userRef} deleted the credential ${name} of ${providerRef}`,
    );
    res.json({ credential: view(deleted) });
  });

  router.get('/v1/internal/credential-bindings', async (req, res) => {
    // Users (even admins) are refused with 403; only backend plugins may call.
    await options.httpAuth.credentials(req, { allow: ['service'] });
    res.json({ bindings: await secrets.bindings() });
  });

  return router;
}
