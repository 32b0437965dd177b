import {
  AuthService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { marketplaceApprovalsManagePermission } from '@internal/plugin-marketplace-common';
import express from 'express';
import { z } from 'zod';
import { AuditLog } from '../stores/AuditLog';
import { PublishingStore } from '../stores/PublishingStore';
import { ServiceTimesStore } from '../stores/ServiceTimesStore';
import { SubscriptionStore } from '../stores/SubscriptionStore';
import { SecretResolver } from '../gateway/secrets';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import { Access, Caller } from './access';
import { nameParam, parse } from './parse';
import { ApprovalService } from './publishing/ApprovalService';
import {
  providerSummaries,
  providerWithServices,
} from './publishing/providerSummaries';
import { PublishedEntityChecks } from './publishing/PublishedEntityChecks';
import { PublishingNotices } from './publishing/PublishingNotices';
import { PublishingService } from './publishing/PublishingService';
import { ServiceRetirement } from './publishing/ServiceRetirement';

export { hostOf } from './publishing/ApprovalService';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PublishingRouterOptions {
  access: Access;
  /** createdAt / updatedAt of every service (catalog YAML ones too). */
  serviceTimes?: Pick<ServiceTimesStore, 'get'>;
  httpAuth: HttpAuthService;
  auth: AuthService;
  logger: LoggerService;
  catalog: Pick<CatalogService, 'getEntityByRef' | 'refreshEntity'>;
  directory: ServiceDirectory;
  publishing: PublishingStore;
  subscriptions: SubscriptionStore;
  notifications: NotificationService;
  events: EventsService;
  /** Whether new services wait for an admin's approval. */
  requireApproval: boolean;
  /** Days an unpublished service keeps serving its subscribers by default. */
  sunsetDays: number;
  /** Where approvals and rejections are audited. */
  audit?: AuditLog;
  /** Which credentials each provider may use: checked at publish, shown in approvals. */
  secrets?: SecretResolver;
  clock?: () => number;
}

const idParam = z.string().min(1).max(64);
const isoDate = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/,
    'must be an ISO 8601 date (2027-01-31) or date-time with offset',
  )
  .refine(v => !Number.isNaN(Date.parse(v)), 'is not a valid date');
const sunsetBody = z
  .object({ sunsetAt: isoDate.optional(), successor: nameParam.optional() })
  .strict();
const sunsetQuery = z.object({ sunsetAt: isoDate.optional() }).strict();
// The approvals' `status` filter and the unknown query parameters of the
// lists are checked by the validated router against openapi.yaml. Left here:
// what the document cannot say (a reason that is not only spaces, dates that
// must parse, the two places of `sunsetAt` agreeing).
const rejectBody = z
  .object({
    reason: z
      .string({ error: 'is required' })
      .trim()
      .min(1, 'is required')
      .max(1000, 'must be at most 1000 characters'),
  })
  .strict();
const emptyBody = z.object({}).strict();
const providerParam = z
  .string()
  .regex(/^[a-z0-9A-Z][a-z0-9A-Z._-]{0,62}$/, 'is not a provider name');

/** A managed service's id in a path: its published id, or its name. */
function serviceId(raw: string): string {
  const id = parse(idParam, raw, 'path parameter');
  if (!UUID.test(id)) {
    parse(nameParam, id, 'path parameter');
  }
  return id;
}

/**
 * The Provider Management API (publish, list, update and unpublish services),
 * the providers, the admins' approval queue, and the internal routes the
 * catalog module reads (service principals only). The domain is in
 * `publishing/`: {@link PublishingService} and {@link ApprovalService}.
 */
export async function createPublishingRouter(
  options: PublishingRouterOptions,
): Promise<express.Router> {
  const { access, directory, subscriptions } = options;
  const notices = new PublishingNotices(options);
  const services = new PublishingService({
    ...options,
    checks: new PublishedEntityChecks(options),
    notices,
  });
  const retirement = new ServiceRetirement({ ...options, notices });
  const approvals = new ApprovalService({ ...options, notices });
  const router = createApiRouter();

  // --- Provider Management API --------------------------------------------

  router.post('/v1/provider/services', async (req, res) => {
    const me = await access.caller(req);
    const { status, response } = await services.publish(
      me,
      req.body,
      req.header('idempotency-key'),
    );
    res.status(status).json(response);
  });

  router.get('/v1/provider/services', async (req, res) => {
    const me = await access.caller(req);
    res.json({ services: await services.list(me) });
  });

  router.get('/v1/provider/service-names/:name', async (req, res) => {
    await access.caller(req);
    const name = parse(nameParam, req.params.name, "path parameter 'name'");
    res.json(await services.nameAvailability(name));
  });

  router.get('/v1/provider/services/:id', async (req, res) => {
    const me = await access.caller(req);
    res.json({ service: await services.get(me, serviceId(req.params.id)) });
  });

  router.put('/v1/provider/services/:id', async (req, res) => {
    const me = await access.caller(req);
    const id = serviceId(req.params.id);
    res.json({ service: await services.update(me, id, req.body) });
  });

  router.delete('/v1/provider/services/:id', async (req, res) => {
    const me = await access.caller(req);
    const s = await services.managedService(me, serviceId(req.params.id));
    const body = parse(sunsetBody, req.body ?? {}, 'body');
    const fromQuery = parse(sunsetQuery, req.query, 'query').sunsetAt;
    // Across fields: the document cannot say that both places must agree.
    if (body.sunsetAt && fromQuery && body.sunsetAt !== fromQuery) {
      throw new InputError(
        `Invalid field 'sunsetAt': give it in the body or the query, not two different values`,
      );
    }
    res.json(
      await retirement.unpublish(me, s, {
        sunsetAt: body.sunsetAt ?? fromQuery,
        successor: body.successor,
      }),
    );
  });

  // --- Providers ------------------------------------------------------------

  router.get('/v1/providers', async (req, res) => {
    await access.caller(req);
    res.json({ providers: providerSummaries(directory) });
  });

  router.get('/v1/providers/:id', async (req, res) => {
    const me = await access.caller(req);
    const id = parse(providerParam, req.params.id, 'path parameter');
    res.json(await providerWithServices(directory, subscriptions, me, id));
  });

  // --- Approvals (admins) -----------------------------------------------------

  async function admin(req: ApiRequest): Promise<Caller> {
    const me = await access.caller(req);
    if (!(await access.allowed(me, marketplaceApprovalsManagePermission))) {
      throw new NotAllowedError('Only platform admins manage approvals');
    }
    return me;
  }

  router.get('/v1/admin/approvals', async (req, res) => {
    await admin(req);
    const { status } = req.query;
    res.json({ approvals: await approvals.listServiceApprovals(status) });
  });

  router.get('/v1/admin/provider-approvals', async (req, res) => {
    await admin(req);
    const { status } = req.query;
    res.json({ approvals: await approvals.listProviderApprovals(status) });
  });

  // A Provider anyone registered in the catalog grants nothing until an admin
  // approves it: then its owners are providers and its verification counts.
  router.post(
    '/v1/admin/provider-approvals/:providerName/approve',
    async (req, res) => {
      parse(emptyBody, req.body ?? {}, 'body');
      const me = await admin(req);
      const name = parse(
        providerParam,
        req.params.providerName,
        'path parameter',
      );
      res.json({
        approval: await approvals.decideProvider(me, name, {
          status: 'approved',
          reason: null,
        }),
      });
    },
  );

  router.post(
    '/v1/admin/provider-approvals/:providerName/reject',
    async (req, res) => {
      const { reason } = parse(rejectBody, req.body ?? {}, 'body');
      const me = await admin(req);
      const name = parse(
        providerParam,
        req.params.providerName,
        'path parameter',
      );
      res.json({
        approval: await approvals.decideProvider(me, name, {
          status: 'rejected',
          reason,
        }),
      });
    },
  );

  router.post('/v1/admin/approvals/:serviceName/approve', async (req, res) => {
    parse(emptyBody, req.body ?? {}, 'body');
    const me = await admin(req);
    const name = parse(nameParam, req.params.serviceName, 'path parameter');
    res.json({
      approval: await approvals.decideService(me, name, {
        status: 'approved',
        reason: null,
      }),
    });
  });

  router.post('/v1/admin/approvals/:serviceName/reject', async (req, res) => {
    const { reason } = parse(rejectBody, req.body ?? {}, 'body');
    const me = await admin(req);
    const name = parse(nameParam, req.params.serviceName, 'path parameter');
    res.json({
      approval: await approvals.decideService(me, name, {
        status: 'rejected',
        reason,
      }),
    });
  });

  // --- Internal: the catalog module (service principals only) ---------------

  async function servicePrincipal(req: ApiRequest) {
    // Users (even admins) are refused with 403; only backend plugins may call.
    await options.httpAuth.credentials(req, { allow: ['service'] });
  }

  router.get('/v1/internal/published-entities', async (req, res) => {
    await servicePrincipal(req);
    res.json({ entities: await approvals.publishedEntities() });
  });

  router.get('/v1/internal/approvals', async (req, res) => {
    await servicePrincipal(req);
    res.json({ approvals: await approvals.approvalStatuses() });
  });

  return router;
}
