import {
  AuthService,
  LoggerService,
  RootConfigService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { parseAllDocuments } from 'yaml';
import { MarketplaceReferenceLookup } from './references';

/** Environment variables a service may name directly (as the gateway reads them). */

/**
 * Resolves references against the catalog itself, the backend's config (the
 * names of the upstream credentials, never their values) and, for entities of
 * the same file, the file read again through the backend's URL reader.
 */
export class CatalogReferenceLookup implements MarketplaceReferenceLookup {
  constructor(
    private readonly deps: {
      catalog: Pick<CatalogService, 'getEntityByRef'>;
      auth: AuthService;
      urlReader: UrlReaderService;
      config: RootConfigService;
      logger: LoggerService;
    },
  ) {}

  async hasEntity(entityRef: string): Promise<boolean> {
    const { catalog, auth, logger } = this.deps;
    try {
      const entity = await catalog.getEntityByRef(entityRef, {
        credentials: await auth.getOwnServiceCredentials(),
      });
      return entity !== undefined;
    } catch (error) {
      // The catalog could not answer (e.g. while starting): do not fail the entity for it.
      logger.debug(`Could not look up ${entityRef} in the catalog: ${error}`);
      return true;
    }
  }

  async ownerOf(entityRef: string): Promise<string | undefined> {
    const { catalog, auth, logger } = this.deps;
    try {
      const entity = await catalog.getEntityByRef(entityRef, {
        credentials: await auth.getOwnServiceCredentials(),
      });
      const owner = (entity?.spec as { owner?: unknown } | undefined)?.owner;
      return typeof owner === 'string' ? owner : undefined;
    } catch (error) {
      logger.debug(`Could not look up ${entityRef} in the catalog: ${error}`);
      return undefined;
    }
  }

  async entitiesAt(location: LocationSpec): Promise<string[]> {
    if (location.type !== 'url') {
      return [];
    }
    const response = await this.deps.urlReader.readUrl(location.target);
    const text = (await response.buffer()).toString('utf8');
    const refs: string[] = [];
    for (const document of parseAllDocuments(text)) {
      const data = document.toJS() as any;
      if (
        typeof data?.kind === 'string' &&
        typeof data?.metadata?.name === 'string'
      ) {
        refs.push(
          stringifyEntityRef({
            kind: data.kind,
            namespace: data.metadata.namespace ?? 'default',
            name: data.metadata.name,
          }),
        );
      }
    }
    return refs;
  }
}
