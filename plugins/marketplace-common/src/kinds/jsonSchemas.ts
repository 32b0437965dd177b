import {
  MARKETPLACE_API_VERSION,
  MODEL_SERVICE_KIND,
  PROVIDER_KIND,
} from './constants';
import { modelServiceJsonSchema } from './modelServiceSchema';
import { providerJsonSchema } from './ProviderEntityV1alpha1';

/**
 * Where the marketplace backend serves the JSON Schemas, relative to the
 * backend's base URL (`http://localhost:7007` in development).
 *
 * @public
 */
export const MARKETPLACE_JSON_SCHEMAS_PATH = '/api/marketplace/schemas';

function withoutDraft(schema: Record<string, unknown>) {
  const { $schema: _draft, ...rest } = schema;
  return rest;
}

/**
 * The JSON Schemas editors use to validate and complete catalog YAML, by file
 * name: one per kind, and `catalog-info.json` for a file with either kind (and
 * other kinds, which it leaves alone). Generated from the kinds' schemas, the
 * ones the catalog processor and the publish API validate with; committed under
 * `plugins/marketplace-common/schemas/` (`yarn workspace
 * @internal/plugin-marketplace-common generate:schemas`).
 *
 * @public
 */
export const MARKETPLACE_JSON_SCHEMAS: Record<
  'model-service.json' | 'provider.json' | 'catalog-info.json',
  Record<string, unknown>
> = {
  'model-service.json': modelServiceJsonSchema,
  'provider.json': providerJsonSchema,
  'catalog-info.json': {
    $schema: 'http://json-schema.org/draft-07/schema',
    title:
      'Catalog entities with the marketplace kinds (ModelService, Provider)',
    description:
      'A catalog-info.yaml document: ModelService and Provider entities are checked against their schemas, other kinds are left to the catalog.',
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: {
      apiVersion: { type: 'string', examples: [MARKETPLACE_API_VERSION] },
      kind: { type: 'string', examples: [MODEL_SERVICE_KIND, PROVIDER_KIND] },
    },
    allOf: [
      {
        if: { properties: { kind: { const: MODEL_SERVICE_KIND } } },
        then: withoutDraft(modelServiceJsonSchema),
      },
      {
        if: { properties: { kind: { const: PROVIDER_KIND } } },
        then: withoutDraft(providerJsonSchema),
      },
    ],
  },
};
