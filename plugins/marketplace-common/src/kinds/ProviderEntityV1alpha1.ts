import { Entity } from '@backstage/catalog-model';
import {
  COMPLIANCE_CERTIFICATIONS,
  ComplianceCertification,
  GEO_REGIONS,
  GeoRegion,
  MARKETPLACE_API_VERSION,
  PROVIDER_KIND,
  PROVIDER_VERIFICATION_STATUSES,
  ProviderVerificationStatus,
} from './constants';
import {
  EMAIL_PATTERN,
  ISO_COUNTRY_PATTERN,
  ISO_DATE_PATTERN,
  URL_PATTERN,
  entityRefSchema,
  linkProblems,
  namespaceProblems,
  catalogKindSchema,
} from './schemaParts';
import {
  EntityProblem,
  isMarketplaceEntityOfKind,
  schemaProblemsValidator,
  standaloneKindSchema,
  validateKind,
} from './validation';

/** @public */
export type ProviderSpec = {
  owner: string;
  displayName: string;
  /**
   * The provider's own claim about its verification: shown as a claim, never
   * trusted. Whether a provider is verified is the marketplace admins' decision.
   */
  verification: {
    status: ProviderVerificationStatus;
    /** ISO date of the last verification. */
    verifiedAt?: string;
  };
  headquarters: { country: string; region: GeoRegion; city?: string };
  compliance: ComplianceCertification[];
  contact: { email: string; url?: string; chat?: string };
  website?: string;
};

/**
 * An organisation (internal team or external vendor) that offers ModelServices.
 *
 * @public
 */
export interface ProviderEntityV1alpha1 extends Entity {
  apiVersion: typeof MARKETPLACE_API_VERSION;
  kind: typeof PROVIDER_KIND;
  spec: ProviderSpec;
}

/**
 * JSON Schema (draft-07) of the Provider kind.
 *
 * @public
 */
export const providerEntityV1alpha1Schema = catalogKindSchema({
  $id: 'ProviderV1alpha1',
  description: 'An organisation that offers LLM services in the marketplace.',
  kind: PROVIDER_KIND,
  spec: {
    type: 'object',
    additionalProperties: false,
    required: [
      'owner',
      'displayName',
      'verification',
      'headquarters',
      'compliance',
      'contact',
    ],
    properties: {
      owner: entityRefSchema,
      displayName: { type: 'string', minLength: 1 },
      verification: {
        type: 'object',
        description:
          "The provider's own claim about its verification, shown as a claim; whether it is verified is the marketplace admins' decision",
        additionalProperties: false,
        required: ['status'],
        properties: {
          status: { enum: [...PROVIDER_VERIFICATION_STATUSES] },
          verifiedAt: {
            type: 'string',
            pattern: ISO_DATE_PATTERN,
          },
        },
      },
      headquarters: {
        type: 'object',
        additionalProperties: false,
        required: ['country', 'region'],
        properties: {
          country: { type: 'string', pattern: ISO_COUNTRY_PATTERN },
          region: { enum: [...GEO_REGIONS] },
          city: { type: 'string', minLength: 1 },
        },
      },
      compliance: {
        type: 'array',
        uniqueItems: true,
        items: { enum: [...COMPLIANCE_CERTIFICATIONS] },
      },
      contact: {
        type: 'object',
        additionalProperties: false,
        required: ['email'],
        properties: {
          email: { type: 'string', pattern: EMAIL_PATTERN },
          url: { type: 'string', pattern: URL_PATTERN },
          chat: { type: 'string', minLength: 1 },
        },
      },
      website: { type: 'string', pattern: URL_PATTERN },
    },
  },
});

/**
 * The Provider schema as one self-contained JSON Schema document.
 *
 * @public
 */
export const providerJsonSchema = standaloneKindSchema(
  providerEntityV1alpha1Schema,
  'Provider (marketplace.acme.io/v1alpha1)',
);

const schemaProblems = schemaProblemsValidator(providerJsonSchema);

/**
 * Every problem of a Provider entity at once; empty when it is valid.
 *
 * @public
 */
export function providerEntityProblems(data: unknown): EntityProblem[] {
  const problems = [
    ...schemaProblems(data),
    ...linkProblems(data),
    ...namespaceProblems(data),
  ];
  const verification = (data as { spec?: { verification?: any } })?.spec
    ?.verification;
  if (
    verification?.status === 'verified' &&
    verification.verifiedAt === undefined
  ) {
    problems.push({
      field: 'spec.verification.verifiedAt',
      message: "is required when status is 'verified'",
    });
  }
  return problems;
}

/**
 * Validates a Provider entity. Returns false when the entity is not a Provider
 * of the marketplace's apiVersion; throws an {@link EntityValidationError}
 * naming every problem when it is one but invalid.
 *
 * @public
 */
export function providerEntityV1alpha1Validator(
  data: unknown,
): ProviderEntityV1alpha1 | false {
  return validateKind<ProviderEntityV1alpha1>(
    PROVIDER_KIND,
    data,
    providerEntityProblems,
  );
}

/**
 * Type guard for Provider entities (by apiVersion and kind; not a validation).
 *
 * @public
 */
export function isProviderEntity(
  entity: Entity | undefined,
): entity is ProviderEntityV1alpha1 {
  return isMarketplaceEntityOfKind(entity, PROVIDER_KIND);
}
