import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  ResponseError,
} from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  API_COMPATIBILITIES,
  AVAILABILITY_SCHEDULES,
  COMPLIANCE_CERTIFICATIONS,
  GEO_REGIONS,
  MODEL_FAMILIES,
  MODEL_FEATURES,
  UPSTREAM_AUTH_TYPES,
  UPSTREAM_PROTOCOLS,
  MarketplaceRestClient,
  WEEKDAYS,
} from '@internal/plugin-marketplace-common';
import {
  PublishInput,
  toCatalogInfoYaml,
  toModelServiceEntity,
} from './serviceEntity';

/** What the action outputs of a publish or an edit. */
type PublishResult = {
  id: string;
  entityRef: string;
  status: string;
  /** An edit waits for review while the approved version stays live. */
  changeInReview: boolean;
};

const ID = 'marketplace:publish';

/**
 * The backend's refusal as the error the scaffolder shows: its message (which
 * names the field of a 400) in the error of its kind.
 */
function toActionError(error: unknown): unknown {
  if (!(error instanceof ResponseError)) {
    return error;
  }
  const message = error.cause.message;
  switch (error.statusCode) {
    case 400:
      return new InputError(message);
    case 403:
      return new NotAllowedError(message);
    case 409:
      return new ConflictError(message);
    default:
      return new Error(
        `The marketplace answered ${error.statusCode}: ${message}`,
      );
  }
}

/**
 * `marketplace:publish`: builds a ModelService from the template's six steps,
 * validates it with the kind's schema, and publishes it through the marketplace
 * backend's Provider Management API as the user who runs the template (so the
 * backend checks that the user belongs to the owning group). Idempotent: a retried
 * task reuses the checkpointed result.
 */
export function createPublishAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  const { discovery, auth } = options;
  const marketplace = new MarketplaceRestClient({ discoveryApi: discovery });
  return createTemplateAction({
    id: ID,
    description:
      'Publishes an LLM API service to the marketplace (pending approval when approval is required)',
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
              message:
                'name must be lowercase letters, digits and single dashes',
            })
            .max(63)
            .describe('Unique service name; the `model` callers send'),
        title: z => z.string().max(200).optional(),
        description: z => z.string().min(1).max(2000),
        family: z => z.enum(MODEL_FAMILIES),
        baseModel: z => z.string().min(1).max(200),
        owner: z =>
          z.string().min(1).describe('Group entity ref that owns the service'),
        providedBy: z => z.string().min(1).describe('Provider entity ref'),
        tags: z => z.array(z.string()).optional(),
        pricing: z =>
          z.object({
            promptPer1k: z.union([z.string(), z.number()]),
            completionPer1k: z.union([z.string(), z.number()]),
            tiers: z
              .array(
                z.object({
                  fromMonthlyTokens: z.number().int().positive(),
                  promptPer1k: z.union([z.string(), z.number()]),
                  completionPer1k: z.union([z.string(), z.number()]),
                }),
              )
              .optional(),
            trialTokens: z.number().int().min(0).optional(),
            trialDurationDays: z.number().int().min(0).optional(),
            trialLimitations: z.array(z.string()).optional(),
          }),
        technical: z =>
          z.object({
            endpointUrl: z.string().url(),
            upstreamModel: z.string().optional(),
            upstreamProtocol: z.enum(UPSTREAM_PROTOCOLS).optional(),
            authType: z.enum(UPSTREAM_AUTH_TYPES),
            authHeader: z.string().optional(),
            secretRef: z.string().optional(),
            contextWindow: z.number().int().positive(),
            maxOutputTokens: z.number().int().positive(),
            features: z.array(z.enum(MODEL_FEATURES)).optional(),
            apiCompatibility: z.array(z.enum(API_COMPATIBILITIES)).min(1),
            documentationUrl: z.string().optional(),
            issuesUrl: z.string().optional(),
            supportContact: z.string().optional(),
          }),
        infrastructure: z => {
          const hours = z.array(
            z.object({
              days: z.array(z.enum(WEEKDAYS)).min(1),
              start: z.string(),
              end: z.string(),
            }),
          );
          return z.object({
            country: z.string().length(2),
            region: z.enum(GEO_REGIONS),
            city: z.string().optional(),
            dataCenters: z.array(z.string()).min(1),
            compliance: z.array(z.enum(COMPLIANCE_CERTIFICATIONS)).optional(),
            schedule: z.enum(AVAILABILITY_SCHEDULES),
            timezone: z.string().optional(),
            customHours: hours.optional(),
            weeklyMaintenance: hours.optional(),
            maintenanceWindows: z
              .array(
                z.object({
                  start: z.string(),
                  end: z.string(),
                  description: z.string().optional(),
                }),
              )
              .optional(),
          });
        },
        performance: z =>
          z.object({
            latencyP50Ms: z.number().int().positive(),
            latencyP95Ms: z.number().int().positive(),
            latencyP99Ms: z.number().int().positive(),
            uptimePercent: z.number().min(0).max(100),
            requestsPerSecond: z.number().int().positive(),
            tokensPerSecond: z.number().int().positive(),
            requestsPerMinute: z.number().int().positive(),
            tokensPerMinute: z.number().int().positive(),
          }),
        editing: z =>
          z
            .string()
            .optional()
            .describe(
              'The name of a portal-published service to update instead of publishing a new one',
            ),
        termsAccepted: z =>
          z.literal(true, {
            errorMap: () => ({
              message: 'termsAccepted: accept the marketplace provider terms',
            }),
          }),
      },
      output: {
        id: z => z.string().describe('The published service id'),
        entityRef: z => z.string().describe('The ModelService entity ref'),
        status: z =>
          z.string().describe('pending (awaiting approval) or approved'),
        changeInReview: z =>
          z
            .boolean()
            .describe(
              'An edit waits for review while the approved version stays live',
            ),
        yaml: z =>
          z
            .string()
            .describe(
              'The service as a catalog-info.yaml, with the editor line of its JSON Schema',
            ),
      },
    },
    async handler(ctx) {
      const { termsAccepted: _terms, editing, ...rest } = ctx.input;
      const entity = toModelServiceEntity(rest as PublishInput);
      const entityRef = stringifyEntityRef(entity);
      if (editing && editing !== entity.metadata.name) {
        throw new InputError(
          `A service cannot be renamed (its name is the model callers send): keep '${editing}'`,
        );
      }
      const yaml = toCatalogInfoYaml(
        entity,
        `${await discovery.getExternalBaseUrl(
          'marketplace',
        )}/schemas/model-service.json`,
      );

      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: ${entityRef} is valid; nothing published`);
        ctx.output('id', 'dry-run');
        ctx.output('entityRef', entityRef);
        ctx.output('status', 'dry-run');
        ctx.output('yaml', yaml);
        return;
      }

      const result = await ctx.checkpoint({
        key: `marketplace-${editing ? 'update' : 'publish'}-${
          entity.metadata.name
        }`,
        fn: async (): Promise<PublishResult> => {
          const { token } = await auth.getPluginRequestToken({
            onBehalfOf: await ctx.getInitiatorCredentials(),
            targetPluginId: 'marketplace',
          });
          const requestOptions = {
            token,
            headers: { 'idempotency-key': `scaffolder-${ctx.task.id}` },
          };
          try {
            if (editing) {
              const { service } = await marketplace.request(
                'put',
                '/v1/provider/services/{id}',
                { path: { id: editing }, body: { entity } },
                requestOptions,
              );
              // A change of what the approval holds for waits for an admin.
              const changeInReview = service.changeInReview === true;
              return {
                id: service.id,
                entityRef: service.entityRef,
                status: changeInReview ? 'pending' : service.publication.status,
                changeInReview,
              };
            }
            const body = await marketplace.request(
              'post',
              '/v1/provider/services',
              { body: { entity } },
              requestOptions,
            );
            return {
              id: body.id,
              entityRef: body.entityRef,
              status: body.status,
              changeInReview: false,
            };
          } catch (error) {
            throw toActionError(error);
          }
        },
      });

      const verb = editing ? 'Updated' : 'Published';
      ctx.logger.info(
        result.status === 'pending'
          ? `${verb} ${result.entityRef}; it is pending approval by a platform admin`
          : `${verb} ${result.entityRef}; it is live`,
      );
      ctx.output('id', result.id);
      ctx.output('entityRef', result.entityRef);
      ctx.output('status', result.status);
      ctx.output('changeInReview', result.changeInReview);
      ctx.output('yaml', yaml);
    },
  });
}
