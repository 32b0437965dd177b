import { NotFoundError } from '@backstage/errors';
import { MARKETPLACE_JSON_SCHEMAS } from '@internal/plugin-marketplace-common';
import express from 'express';
import { createApiRouter } from '../schema/openapi';

const FILES = Object.keys(MARKETPLACE_JSON_SCHEMAS);

/**
 * The JSON Schemas of the marketplace kinds, for editors
 * (`# yaml-language-server: $schema=<backend>/api/marketplace/schemas/catalog-info.json`)
 * and CI validators. Public: they describe the YAML format, nothing else.
 */
export function createSchemasRouter(): express.Router {
  const router = createApiRouter();
  router.get('/schemas/:file', async (req, res) => {
    const file = req.params.file;
    if (!FILES.includes(file)) {
      throw new NotFoundError(
        `No schema '${file}': there are ${FILES.join(', ')}`,
      );
    }
    res
      .type('application/schema+json')
      .set('cache-control', 'public, max-age=300')
      .send(
        JSON.stringify(
          MARKETPLACE_JSON_SCHEMAS[
            file as keyof typeof MARKETPLACE_JSON_SCHEMAS
          ],
          null,
          2,
        ),
      );
  });
  return router;
}
