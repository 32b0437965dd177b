import {
  AuthService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  ANNOTATION_CLAIMED_VERIFICATION,
  APPROVAL_STATUSES,
  ApprovalStatus,
  EntityProblem,
  formatEntityProblems,
  ManagedService,
  MARKETPLACE_ROLES_CHANGED_TOPIC,
  MARKETPLACE_SERVICE_CHANGED_TOPIC,
  marketplaceApprovalsManagePermission,
  MarketplaceServiceChangedEvent,
  marketplaceServicePublishPermission,
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
  problemsOf,
  PROVIDER_KIND,
  SECRET_REF_PATTERN,
  ProviderSummary,
  ProviderApproval,
  PublishServiceResponse,
  ServiceApproval,
  ServiceSummary,
  validatePublishedModelService,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import { z } from 'zod';
import {
  Approval,
  PublishingStore,
  toPriceHistoryEntry,
} from '../database/PublishingStore';
import { SubscriptionStore } from '../database/SubscriptionStore';
import { AuditLog } from '../database/AuditLog';
import { SecretResolver } from '../gateway/secrets';
import { reviewHash } from '../gateway/reviewHash';
import {
  catalogLocationOf,
  DirectoryService,
  isLive,
  isSunset,
  publicationOf,
  ServiceDirectory,
} from '../gateway/ServiceDirectory';
import { ServiceTimesStore } from '../database/ServiceTimesStore';
import { Access, Caller, ownerRefOf, resourceOf } from './access';
import { nameParam, parse } from './parse';
import { displayNameOf } from './entityNames';

const DAY_MS = 86_400_000;
const SECRET_NAME = new RegExp(SECRET_REF_PATTERN);
const MAX_SUNSET_DAYS = 365;
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

const entityBody = z
  .object({
    entity: z.record(z.string(), z.unknown(), {
      error: 'must be a ModelService entity object',
    }),
  })
  .strict();
const idParam = z.string().min(1).max(64);
const idempotencyKeyHeader = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
  .optional();
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
const approvalsQuery = z
  .object({
    status: z
      .enum(
        APPROVAL_STATUSES as unknown as [ApprovalStatus, ...ApprovalStatus[]],
      )
      .optional(),
  })
  .strict();
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

/** JSON with sorted keys: equal for equal values. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map(k => [k, v[k]]),
        )
      : v,
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** An approval as the audit log shows it. */
function auditedApproval(a: Approval) {
  return {
    status: a.status,
    reason: a.reason,
    decidedBy: a.decidedBy,
    decidedAt: a.decidedAt === null ? null : iso(a.decidedAt),
    approvedEndpointHost: a.approvedEndpointHost,
  };
}

/** "The credential ..." inside a sentence: "the credential ...". */
function lowerFirst(text: string): string {
  return text.charAt(0).toLocaleLowerCase('en-US') + text.slice(1);
}

/** Host (and port) of a base URL; the raw text when it is not a URL. */
/** 409 for approving a catalog YAML service whose owner may not publish. */
function ownerMayNotPublish(name: string, owner: string) {
  return new ConflictError(
    `${name} cannot be approved: its owner ${owner} may not publish services (it is not a provider group, and owns no approved Provider). Approve the team's Provider first, or add the group to marketplace.roles.providerGroups.`,
  );
}

/** 409 for approving a catalog YAML service that names another team's Provider. */
function foreignProviderConflict(s: DirectoryService) {
  return new ConflictError(foreignProviderProblem(s));
}

/** Why a catalog YAML service naming another team's Provider is neither served nor approved. */
function foreignProviderProblem(s: DirectoryService): string {
  const entity = s.reviewEntity ?? s.entity;
  return `${s.name} cannot be approved: it is owned by ${entity.spec.owner} but names ${s.providerRef}, which belongs to ${s.foreignProviderOwner}. A service may only name a Provider of its own team (and so use only that Provider's credentials).`;
}

export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/**
 * The Provider Management API (publish, list, update and unpublish services),
 * the providers, the admins' approval queue, and the internal routes the
 * catalog module reads (service principals only).
 */
export async function createPublishingRouter(
  options: PublishingRouterOptions,
): Promise<express.Router> {
  const { access, directory, publishing, subscriptions, logger } = options;
  const now = options.clock ?? Date.now;
  const router = createApiRouter();

  /** createdAt / updatedAt of any service, catalog YAML ones included. */
  function timesOf(s: DirectoryService) {
    const known = options.serviceTimes?.get(s.ref);
    const createdAt = known?.createdAt ?? s.published?.createdAt;
    const updatedAt = known?.updatedAt ?? s.published?.updatedAt;
    return createdAt === undefined
      ? undefined
      : { createdAt: iso(createdAt), updatedAt: iso(updatedAt ?? createdAt) };
  }

  function managed(
    s: DirectoryService,
    extra: Pick<ManagedService, 'priceHistory'> = {},
  ): ManagedService {
    return {
      id: s.published?.id ?? s.name,
      name: s.name,
      entityRef: s.ref,
      location: catalogLocationOf(s),
      createdBy: s.published?.createdBy ?? null,
      createdAt: timesOf(s)?.createdAt ?? null,
      updatedAt: timesOf(s)?.updatedAt ?? null,
      publication: publicationOf(s),
      // Its owners see (and edit) what they last submitted.
      entity: s.reviewEntity ?? s.entity,
      changeInReview: !!s.reviewEntity && !s.rejectedChange,
      changeRejected: s.rejectedChange
        ? {
            reason: s.rejectedChange.reason,
            decidedBy: s.rejectedChange.decidedBy,
            decidedAt:
              s.rejectedChange.decidedAt === null
                ? null
                : iso(s.rejectedChange.decidedAt),
          }
        : null,
      ...extra,
    };
  }

  async function withHistory(s: DirectoryService): Promise<ManagedService> {
    const history = await publishing.priceHistory(s.ref);
    return managed(s, { priceHistory: history.map(toPriceHistoryEntry) });
  }

  /** A service by published id or name, if the caller may manage it. */
  async function managedService(
    me: Caller,
    rawId: string,
  ): Promise<DirectoryService> {
    const id = parse(idParam, rawId, 'path parameter');
    let name: string | undefined = id;
    if (UUID.test(id)) {
      name = (await publishing.getPublished({ id: id.toLocaleLowerCase() }))
        ?.name;
    } else {
      parse(nameParam, id, 'path parameter');
    }
    const s = name ? await directory.get(name) : undefined;
    if (!s) {
      throw new NotFoundError(`No model service '${id}'`);
    }
    if (!(await access.mayManage(me, resourceOf(s)))) {
      // Services under review are not visible to others at all.
      if (!isLive(s)) {
        throw new NotFoundError(`No model service '${id}'`);
      }
      throw new NotAllowedError(
        `Only members of ${s.entity.spec.owner} (or admins) may manage ${s.name}`,
      );
    }
    return s;
  }

  /**
   * The entity of a publish or update request, with every problem at once in one
   * 400: the schema's and the portal's rules, and the references that do not
   * resolve (the Provider, the owner group, the upstream credential's name).
   */
  async function validEntity(body: unknown) {
    const { entity } = parse(entityBody, body ?? {}, 'body');
    const problems: EntityProblem[] = [];
    let valid: ModelServiceEntityV1alpha1 | undefined;
    try {
      valid = await validatePublishedModelService(entity);
    } catch (error) {
      problems.push(...problemsOf(error));
    }
    problems.push(...(await unresolvedReferences(entity)));
    if (!valid || problems.length) {
      throw new InputError(
        `Invalid body field 'entity': ${formatEntityProblems(
          MODEL_SERVICE_KIND,
          problems,
        )}`,
      );
    }
    return valid;
  }

  async function unresolvedReferences(
    entity: Record<string, any>,
  ): Promise<EntityProblem[]> {
    const spec =
      entity.spec && typeof entity.spec === 'object' ? entity.spec : {};
    const problems: EntityProblem[] = [];
    const refOf = (value: unknown, defaultKind: string) => {
      try {
        return typeof value === 'string' && value
          ? stringifyEntityRef(
              parseEntityRef(value, {
                defaultKind,
                defaultNamespace: 'default',
              }),
            )
          : undefined;
      } catch {
        return undefined; // the schema check names it
      }
    };
    const providerRef = refOf(spec.providedBy, PROVIDER_KIND);
    if (providerRef && !directory.provider(providerRef)) {
      problems.push({
        field: 'spec.providedBy',
        message: `names ${providerRef}, but there is no such Provider in the catalog`,
      });
    }
    const ownerRef = refOf(spec.owner, 'group');
    if (ownerRef?.startsWith('group:')) {
      const group = await options.catalog
        .getEntityByRef(ownerRef, { credentials: await ownCredentials() })
        .catch(() => ({})); // the catalog did not answer: the owner check decides
      if (!group) {
        problems.push({
          field: 'spec.owner',
          message: `names ${ownerRef}, but there is no such group in the catalog`,
        });
      }
    }
    // The credential must be one this provider may use (also checked again after
    // the ownership checks, and by the gateway and the prober on every use).
    const secretRef = spec.endpoint?.auth?.secretRef;
    if (
      options.secrets &&
      providerRef &&
      spec.endpoint?.auth?.type !== 'none' &&
      typeof secretRef === 'string' &&
      SECRET_NAME.test(secretRef)
    ) {
      const credential = await options.secrets.describe(secretRef, providerRef);
      if (!credential.usable) {
        problems.push({
          field: 'spec.endpoint.auth.secretRef',
          message: `cannot be used: ${lowerFirst(
            credential.problem ?? `${providerRef} may not use '${secretRef}'`,
          )}`,
        });
      }
    }
    return problems;
  }

  /**
   * The owner group and the Provider must be the caller's: members of a group
   * publish for it, under a Provider one of their groups owns (admins: any).
   */
  async function checkOwnership(
    me: Caller,
    entity: ModelServiceEntityV1alpha1,
  ) {
    const decision = await access.manageDecision(me);
    const owner = ownerRefOf(entity.spec.owner);
    if (!access.canManage(decision, { ref: '', owner })) {
      throw new NotAllowedError(
        `Invalid body field 'entity.spec.owner': you can only publish services owned by a group you are a member of, not ${owner}`,
      );
    }
    const providerRef = providerRefOf(entity);
    const provider = directory.provider(providerRef);
    if (!provider) {
      throw new InputError(
        `Invalid body field 'entity.spec.providedBy': there is no Provider ${providerRef} in the catalog`,
      );
    }
    if (
      !access.canManage(decision, {
        ref: providerRef,
        owner: ownerRefOf(provider.spec.owner),
      })
    ) {
      throw new NotAllowedError(
        `Invalid body field 'entity.spec.providedBy': ${providerRef} is not owned by one of your groups`,
      );
    }
    await checkCredential(entity, providerRef);
    return { owner, providerRef };
  }

  /** The credential the service names must be one its provider may use. */
  async function checkCredential(
    entity: ModelServiceEntityV1alpha1,
    providerRef: string,
  ) {
    const auth = entity.spec.endpoint.auth;
    if (auth.type === 'none' || !options.secrets) {
      return;
    }
    const d = await options.secrets.describe(auth.secretRef ?? '', providerRef);
    if (!d.usable) {
      throw new InputError(
        `Invalid body field 'entity.spec.endpoint.auth.secretRef': ${d.problem}`,
      );
    }
  }

  function providerRefOf(entity: ModelServiceEntityV1alpha1): string {
    return stringifyEntityRef(
      parseEntityRef(entity.spec.providedBy, {
        defaultKind: PROVIDER_KIND,
        defaultNamespace: 'default',
      }),
    );
  }

  async function ownCredentials() {
    return options.auth.getOwnServiceCredentials();
  }

  async function announce(event: MarketplaceServiceChangedEvent) {
    try {
      await options.events.publish({
        topic: MARKETPLACE_SERVICE_CHANGED_TOPIC,
        eventPayload: event,
      });
    } catch (error) {
      logger.warn(
        `Could not publish ${MARKETPLACE_SERVICE_CHANGED_TOPIC} for ${event.serviceRef}: ${error}`,
      );
    }
  }

  async function refreshCatalogEntity(ref: string) {
    try {
      await options.catalog.refreshEntity(ref, {
        credentials: await ownCredentials(),
      });
    } catch (error) {
      // Not in the catalog (yet): its next processing picks the change up.
      logger.debug(`Could not refresh ${ref} in the catalog: ${error}`);
    }
  }

  async function notify(
    recipients: string | string[],
    payload: Parameters<NotificationService['send']>[0]['payload'],
  ) {
    try {
      await options.notifications.send({
        recipients: { type: 'entity', entityRef: recipients },
        payload,
      });
    } catch (error) {
      logger.warn(
        `Could not send the notification "${payload.title}": ${error}`,
      );
    }
  }

  function servicePage(s: { name: string }) {
    return `/catalog/default/modelservice/${encodeURIComponent(s.name)}`;
  }

  // --- Provider Management API --------------------------------------------

  router.post('/v1/provider/services', async (req, res) => {
    const me = await access.caller(req);
    if (!(await access.allowed(me, marketplaceServicePublishPermission))) {
      throw new NotAllowedError(
        'Publishing services needs the provider role: ask the platform admins to add your team',
      );
    }
    const idempotencyKey =
      parse(
        idempotencyKeyHeader,
        req.header('idempotency-key'),
        "header 'Idempotency-Key'",
      ) ?? null;
    const entity = await validEntity(req.body);
    const { owner, providerRef } = await checkOwnership(me, entity);
    const name = entity.metadata.name;

    // A repeated request (the same Idempotency-Key, or the same body by the same
    // user) gets the service it created the first time, with 200.
    const replay = async (): Promise<boolean> => {
      let previous = idempotencyKey
        ? await publishing.findByIdempotencyKey(me.userRef, idempotencyKey)
        : undefined;
      if (previous && previous.name !== name) {
        throw new ConflictError(
          `The Idempotency-Key '${idempotencyKey}' was already used to publish ${previous.name}`,
        );
      }
      if (!previous) {
        const byName = await publishing.getPublished({ name });
        if (
          byName &&
          byName.createdBy === me.userRef &&
          byName.owner === owner &&
          canonicalJson(byName.entity) === canonicalJson(entity)
        ) {
          previous = byName;
        }
      }
      const s = previous && (await directory.get(previous.name));
      if (!s?.published) {
        return false;
      }
      const response: PublishServiceResponse = {
        id: s.published.id,
        entityRef: s.ref,
        status: s.status,
        service: managed(s),
      };
      res.status(200).json(response);
      return true;
    };
    if (await replay()) {
      return;
    }

    const ref = `modelservice:default/${name}`;
    const clash =
      (await directory.get(name)) ??
      (await options.catalog.getEntityByRef(ref, {
        credentials: await ownCredentials(),
      }));
    if (clash) {
      throw new ConflictError(
        `A model service named '${name}' already exists: choose another metadata.name`,
      );
    }
    const status: ApprovalStatus = options.requireApproval
      ? 'pending'
      : 'approved';
    let published;
    try {
      published = await publishing.publish({
        entity,
        owner,
        providerRef,
        createdBy: me.userRef,
        idempotencyKey,
        status,
      });
    } catch (error) {
      // A concurrent identical request won: answer like a repeat.
      if (error instanceof ConflictError) {
        await directory.refresh();
        if (await replay()) {
          return;
        }
      }
      throw error;
    }
    await directory.refresh();
    await announce({
      serviceRef: ref,
      entity: published.entity,
      approvalStatus: status,
    });
    const s = directory.getByRef(ref);
    if (!s) {
      throw new Error(`${ref} was stored but is not in the directory`);
    }
    logger.info(`${me.userRef} published ${ref} for ${owner} (${status})`);
    const response: PublishServiceResponse = {
      id: published.id,
      entityRef: ref,
      status: s.status,
      service: managed(s),
    };
    res.status(201).json(response);
  });

  router.get('/v1/provider/services', async (req, res) => {
    parse(emptyBody, req.query, 'query');
    const me = await access.caller(req);
    const decision = await access.manageDecision(me);
    const services = directory
      .list()
      .filter(s => access.canManage(decision, resourceOf(s)))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(s => managed(s));
    res.json({ services });
  });

  // Whether a new service may take a name: the "Publish LLM service" form asks
  // before submitting. Pending and rejected services keep their names, so this
  // also sees the ones hidden from the caller.
  router.get('/v1/provider/service-names/:name', async (req, res) => {
    await access.caller(req);
    const name = parse(nameParam, req.params.name, "path parameter 'name'");
    const lowercase = name.toLocaleLowerCase('en-US');
    if (lowercase !== name) {
      res.json({
        name,
        available: false,
        reason:
          'Use lowercase letters: the name is also the model callers send',
      });
      return;
    }
    const ref = `modelservice:default/${name}`;
    const taken =
      (await directory.get(name)) ??
      (await publishing.getPublished({ name })) ??
      (await options.catalog.getEntityByRef(ref, {
        credentials: await ownCredentials(),
      }));
    res.json(
      taken
        ? {
            name,
            available: false,
            reason: `A model service named '${name}' already exists: choose another name`,
          }
        : { name, available: true },
    );
  });

  router.get('/v1/provider/services/:id', async (req, res) => {
    const me = await access.caller(req);
    const s = await managedService(me, req.params.id);
    res.json({ service: await withHistory(s) });
  });

  router.put('/v1/provider/services/:id', async (req, res) => {
    const me = await access.caller(req);
    const s = await managedService(me, req.params.id);
    if (!s.published) {
      throw new ConflictError(
        `${s.name} comes from catalog YAML: edit the catalog-info.yaml in ${
          catalogLocationOf(s) ?? 'its repository'
        }`,
      );
    }
    const entity = await validEntity(req.body);
    if (entity.metadata.name !== s.name) {
      throw new InputError(
        `Invalid body field 'entity.metadata.name': a service cannot be renamed (it is the model callers send); keep '${s.name}'`,
      );
    }
    const refs = await checkOwnership(me, entity);
    const submitted = s.reviewEntity ?? s.entity;
    await publishing.update(s.published.id, entity, refs, {
      // Served prices are recorded when served: a change waiting for review is not.
      recordPrice: !options.requireApproval,
    });
    // What the gateway calls, with which credential, at which prices, for whom,
    // is reviewed again: an approved service keeps serving its approved
    // version until then (the directory binds approvals to what was reviewed).
    // A rejected one goes back to the queue once its reviewed parts change.
    if (
      options.requireApproval &&
      s.approval?.status === 'rejected' &&
      reviewHash(submitted, providerRefOf(submitted)) !==
        reviewHash(entity, providerRefOf(entity))
    ) {
      await publishing.requeue(s.ref);
    }
    await directory.refresh();
    const updated = directory.getByRef(s.ref) ?? s;
    await announce({
      serviceRef: s.ref,
      // The catalog shows what is served.
      entity: updated.entity,
      approvalStatus: updated.status,
    });
    await refreshCatalogEntity(s.ref);
    res.json({ service: await withHistory(updated) });
  });

  router.delete('/v1/provider/services/:id', async (req, res) => {
    const me = await access.caller(req);
    const s = await managedService(me, req.params.id);
    const fromBody = parse(sunsetBody, req.body ?? {}, 'body').sunsetAt;
    const fromQuery = parse(sunsetQuery, req.query, 'query').sunsetAt;
    if (fromBody && fromQuery && fromBody !== fromQuery) {
      throw new InputError(
        `Invalid field 'sunsetAt': give it in the body or the query, not two different values`,
      );
    }
    const requested = fromBody ?? fromQuery;
    const at = now();
    let sunsetAt = at + options.sunsetDays * DAY_MS;
    if (requested) {
      sunsetAt = Date.parse(requested);
      if (sunsetAt <= at) {
        throw new InputError(`Invalid field 'sunsetAt': must be in the future`);
      }
      if (sunsetAt > at + MAX_SUNSET_DAYS * DAY_MS) {
        throw new InputError(
          `Invalid field 'sunsetAt': must be at most ${MAX_SUNSET_DAYS} days from now`,
        );
      }
    }
    if (s.unpublication) {
      throw new ConflictError(
        `${s.name} is already unpublished; its sunset is ${iso(
          s.unpublication.sunsetAt,
        )}`,
      );
    }
    // The service subscribers should move to: live, and not this one.
    const successorName = parse(sunsetBody, req.body ?? {}, 'body').successor;
    let successor: DirectoryService | undefined;
    if (successorName) {
      successor = await directory.get(successorName);
      if (!successor || !isLive(successor)) {
        throw new InputError(
          `Invalid body field 'successor': no live service named '${successorName}' (it must be approved and not unpublished)`,
        );
      }
      if (successor.ref === s.ref) {
        throw new InputError(
          `Invalid body field 'successor': a service cannot succeed itself`,
        );
      }
    }
    await publishing.unpublish(
      s.ref,
      sunsetAt,
      me.userRef,
      successor?.ref ?? null,
    );
    await directory.refresh();
    await announce({ serviceRef: s.ref });
    const subscribers = await subscriptions.listActiveSubscribers(s.ref);
    if (subscribers.length > 0) {
      await notify(subscribers, {
        title: `${s.entity.metadata.title ?? s.name} is being retired`,
        description: `Its provider unpublished ${
          s.name
        }. Your subscription keeps working until ${iso(
          sunsetAt,
        )}; after that the gateway answers 410. ${
          successor
            ? `Its provider names ${
                successor.entity.metadata.title ?? successor.name
              } as its successor: switch to it from the service's page.`
            : 'Move to another model before then.'
        }`,
        link: servicePage(s),
        severity: 'high',
        topic: 'marketplace-service-sunset',
        scope: `marketplace:sunset:${s.ref}`,
      });
    }
    logger.info(
      `${me.userRef} unpublished ${s.ref}; sunset ${iso(sunsetAt)}, ${
        subscribers.length
      } subscriber(s) notified`,
    );
    const updated = directory.getByRef(s.ref) ?? s;
    res.json({
      service: managed(updated),
      notifiedSubscribers: subscribers.length,
    });
  });

  // --- Providers ------------------------------------------------------------

  function providerSummaries(): ProviderSummary[] {
    const counts = new Map<string, number>();
    for (const s of directory.list()) {
      if (isLive(s)) {
        counts.set(s.providerRef, (counts.get(s.providerRef) ?? 0) + 1);
      }
    }
    return directory
      .listProviders()
      .map(([ref, entity]) => ({
        ref,
        entity,
        serviceCount: counts.get(ref) ?? 0,
      }))
      .sort((a, b) =>
        a.entity.metadata.name.localeCompare(b.entity.metadata.name),
      );
  }

  router.get('/v1/providers', async (req, res) => {
    await access.caller(req);
    res.json({ providers: providerSummaries() });
  });

  router.get('/v1/providers/:id', async (req, res) => {
    const me = await access.caller(req);
    const id = parse(providerParam, req.params.id, 'path parameter');
    const ref = `provider:default/${id}`.toLocaleLowerCase('en-US');
    const provider = providerSummaries().find(p => p.ref === ref);
    if (!provider) {
      throw new NotFoundError(`No provider named '${id}'`);
    }
    const active = new Map(
      (await subscriptions.listForUser(me.userRef, { status: 'active' })).map(
        sub => [sub.serviceRef, sub],
      ),
    );
    const services: ServiceSummary[] = directory
      .list()
      .filter(s => s.providerRef === ref && isLive(s))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(s => ({
        entity: s.entity,
        subscription: active.get(s.ref) ?? null,
        owned: me.ownership.includes(ownerRefOf(s.entity.spec.owner)),
        publication: publicationOf(s),
      }));
    res.json({ provider, services });
  });

  // --- Approvals (admins) -----------------------------------------------------

  async function approvalOf(a: Approval): Promise<ServiceApproval> {
    const served = directory.getByRef(a.serviceRef);
    // A changed YAML service is reviewed in its new version.
    const s = served?.reviewEntity
      ? { ...served, entity: served.reviewEntity }
      : served;
    let endpoint: ServiceApproval['endpoint'] = null;
    let credential: ServiceApproval['credential'] = null;
    if (s) {
      const host = hostOf(s.entity.spec.endpoint.baseUrl);
      endpoint = {
        host,
        approvedHost: a.approvedEndpointHost,
        changedSinceApproval:
          a.approvedEndpointHost === null
            ? null
            : a.approvedEndpointHost !== host,
      };
      const auth = s.entity.spec.endpoint.auth;
      if (auth.type !== 'none' && options.secrets) {
        const d = await options.secrets.describe(
          auth.secretRef ?? '',
          s.providerRef,
        );
        // Bound to the Provider, but the Provider is another team's: refused.
        const foreign = served?.foreignProviderOwner
          ? foreignProviderProblem(served)
          : null;
        credential = {
          name: d.name,
          source: d.source,
          owner: d.owner,
          fingerprint: d.fingerprint,
          usable: d.usable && !foreign,
          problem: foreign ?? d.problem,
        };
      }
    }
    return {
      serviceRef: a.serviceRef,
      name: a.serviceRef.slice(a.serviceRef.indexOf('/') + 1),
      title: s?.entity.metadata.title ?? null,
      owner: s ? ownerRefOf(s.entity.spec.owner) || s.entity.spec.owner : null,
      providerRef: s?.providerRef ?? null,
      source: s?.published ? 'portal' : 'catalog',
      status: a.status,
      reason: a.reason,
      submittedAt: iso(a.submittedAt),
      decidedBy: a.decidedBy,
      decidedAt: a.decidedAt === null ? null : iso(a.decidedAt),
      entity: s?.entity ?? null,
      endpoint,
      credential,
      changeRejected: a.status === 'approved' && !!a.rejectedHash,
      approvedVersionServed: a.status !== 'rejected' && !!a.approvedHash,
    };
  }

  async function admin(req: ApiRequest): Promise<Caller> {
    const me = await access.caller(req);
    if (!(await access.allowed(me, marketplaceApprovalsManagePermission))) {
      throw new NotAllowedError('Only platform admins manage approvals');
    }
    return me;
  }

  /** A decision that rejected a change while the approved version stays served. */
  function changeRejected(a: Approval): boolean {
    return a.status === 'approved' && !!a.rejectedHash;
  }

  function auditActionOf(a: Approval) {
    if (changeRejected(a)) {
      return 'service.change_rejected' as const;
    }
    return a.status === 'approved'
      ? ('service.approved' as const)
      : ('service.rejected' as const);
  }

  async function decide(
    req: ApiRequest,
    decision: { status: 'approved' | 'rejected'; reason: string | null },
  ) {
    const me = await admin(req);
    const name = parse(nameParam, req.params.serviceName, 'path parameter');
    const s = await directory.get(name);
    const ref =
      s?.ref ?? `modelservice:default/${name.toLocaleLowerCase('en-US')}`;
    const before = await publishing.getApproval(ref);
    if (!before) {
      throw new NotFoundError(`No model service named '${name}' to review`);
    }
    if (decision.status === 'approved' && s?.foreignProviderOwner) {
      throw foreignProviderConflict(s);
    }
    if (decision.status === 'approved' && s?.ownerMayPublish === false) {
      throw ownerMayNotPublish(name, s.entity.spec.owner);
    }
    // What the admin reviewed: the new version of a changed service.
    const reviewed = s?.reviewEntity ?? s?.entity;
    const after = (await publishing.decide(
      ref,
      {
        ...decision,
        endpointHost: reviewed ? hostOf(reviewed.spec.endpoint.baseUrl) : null,
        ...(s && reviewed
          ? {
              reviewed: {
                hash: reviewHash(reviewed, providerRefOf(reviewed)),
                entity: reviewed,
              },
            }
          : {}),
      },
      me.userRef,
      async (tx, previous, decided) =>
        options.audit?.record(
          {
            actor: me.userRef,
            action: auditActionOf(decided),
            targetType: 'service',
            target: ref,
            before: auditedApproval(previous),
            after: auditedApproval(decided),
          },
          tx,
        ),
    ))!;
    await directory.refresh();
    const current = directory.getByRef(ref);
    await announce({
      serviceRef: ref,
      approvalStatus: after.status,
      ...(current?.published && !isSunset(current)
        ? { entity: current.entity }
        : {}),
    });
    await refreshCatalogEntity(ref);
    if (current && changeRejected(after)) {
      const title = current.entity.metadata.title ?? current.name;
      await notify(
        ownerRefOf(current.entity.spec.owner) || current.entity.spec.owner,
        {
          title: `Your change to ${title} was rejected`,
          description: `${me.userRef} rejected the change: ${after.reason}. Subscribers keep the approved version; change the service again to send it back to review.`,
          link: servicePage(current),
          severity: 'high',
          topic: 'marketplace-service-review',
          scope: `marketplace:review:${ref}`,
        },
      );
    } else if (current && before.status !== after.status) {
      const title = current.entity.metadata.title ?? current.name;
      const decider = await displayNameOf(
        options.catalog,
        me.userRef,
        await ownCredentials(),
      );
      await notify(
        ownerRefOf(current.entity.spec.owner) || current.entity.spec.owner,
        {
          title:
            after.status === 'approved'
              ? `${title} was approved and is live in the marketplace`
              : `${title} was rejected`,
          description:
            after.status === 'approved'
              ? `${decider} approved ${current.name}: it is in browse and the gateway serves it.`
              : `${decider} rejected ${current.name}: ${after.reason}`,
          link: servicePage(current),
          severity: after.status === 'approved' ? 'normal' : 'high',
          topic: 'marketplace-service-review',
          scope: `marketplace:review:${ref}`,
        },
      );
    }
    logger.info(`${me.userRef} set ${ref} to ${after.status}`);
    return { approval: await approvalOf(after) };
  }

  // --- Provider approvals (admins) ---------------------------------------------
  // A Provider anyone registered in the catalog grants nothing until an admin
  // approves it: then its owners are providers and its verification counts.

  function providerApprovalOf(a: Approval): ProviderApproval {
    const provider = directory.provider(a.serviceRef);
    return {
      providerRef: a.serviceRef,
      name: a.serviceRef.slice(a.serviceRef.indexOf('/') + 1),
      displayName: provider?.spec.displayName ?? null,
      owner: provider
        ? ownerRefOf(provider.spec.owner) || provider.spec.owner
        : null,
      // What it declares: the catalog shows an unapproved Provider as
      // unverified and keeps its claim in an annotation.
      verification:
        provider?.metadata.annotations?.[ANNOTATION_CLAIMED_VERIFICATION] ??
        provider?.spec.verification?.status ??
        null,
      status: a.status,
      reason: a.reason,
      submittedAt: iso(a.submittedAt),
      decidedBy: a.decidedBy,
      decidedAt: a.decidedAt === null ? null : iso(a.decidedAt),
    };
  }

  async function decideProvider(
    req: ApiRequest,
    decision: { status: 'approved' | 'rejected'; reason: string | null },
  ) {
    const me = await admin(req);
    const name = parse(
      providerParam,
      req.params.providerName,
      'path parameter',
    );
    const ref = `provider:default/${name.toLocaleLowerCase('en-US')}`;
    const before = await publishing.getApproval(ref);
    if (!before) {
      throw new NotFoundError(`No provider named '${name}' to review`);
    }
    const after = (await publishing.decide(
      ref,
      decision,
      me.userRef,
      async (tx, previous, decided) =>
        options.audit?.record(
          {
            actor: me.userRef,
            action:
              decided.status === 'approved'
                ? 'provider.approved'
                : 'provider.rejected',
            targetType: 'provider',
            target: ref,
            before: auditedApproval(previous),
            after: auditedApproval(decided),
          },
          tx,
        ),
    ))!;
    await directory.refresh();
    // The catalog shows the verification of approved Providers only, and the
    // permission policy reads the provider groups again.
    await announce({ serviceRef: ref, approvalStatus: after.status });
    await refreshCatalogEntity(ref);
    try {
      await options.events.publish({
        topic: MARKETPLACE_ROLES_CHANGED_TOPIC,
        eventPayload: { providerRef: ref },
      });
    } catch (error) {
      logger.warn(`Could not announce the role change of ${ref}: ${error}`);
    }
    logger.info(`${me.userRef} set ${ref} to ${after.status}`);
    return { approval: providerApprovalOf(after) };
  }

  router.get('/v1/admin/approvals', async (req, res) => {
    const { status } = parse(approvalsQuery, req.query, 'query');
    await admin(req);
    const approvals = [];
    for (const a of await publishing.listApprovals(status)) {
      // Providers have their own queue (/v1/admin/provider-approvals).
      if (
        a.serviceRef.startsWith(
          `${MODEL_SERVICE_KIND.toLocaleLowerCase('en-US')}:`,
        )
      ) {
        approvals.push(await approvalOf(a));
      }
    }
    res.json({ approvals });
  });

  router.get('/v1/admin/provider-approvals', async (req, res) => {
    const { status } = parse(approvalsQuery, req.query, 'query');
    await admin(req);
    const approvals = (await publishing.listApprovals(status))
      .filter(a => a.serviceRef.startsWith('provider:'))
      .map(providerApprovalOf);
    res.json({ approvals });
  });

  router.post(
    '/v1/admin/provider-approvals/:providerName/approve',
    async (req, res) => {
      parse(emptyBody, req.body ?? {}, 'body');
      res.json(await decideProvider(req, { status: 'approved', reason: null }));
    },
  );

  router.post(
    '/v1/admin/provider-approvals/:providerName/reject',
    async (req, res) => {
      const { reason } = parse(rejectBody, req.body ?? {}, 'body');
      res.json(await decideProvider(req, { status: 'rejected', reason }));
    },
  );

  router.post('/v1/admin/approvals/:serviceName/approve', async (req, res) => {
    parse(emptyBody, req.body ?? {}, 'body');
    res.json(await decide(req, { status: 'approved', reason: null }));
  });

  router.post('/v1/admin/approvals/:serviceName/reject', async (req, res) => {
    const { reason } = parse(rejectBody, req.body ?? {}, 'body');
    res.json(await decide(req, { status: 'rejected', reason }));
  });

  // --- Internal: the catalog module (service principals only) ---------------

  async function servicePrincipal(req: ApiRequest) {
    // Users (even admins) are refused with 403; only backend plugins may call.
    await options.httpAuth.credentials(req, { allow: ['service'] });
  }

  router.get('/v1/internal/published-entities', async (req, res) => {
    await servicePrincipal(req);
    // From the database, not the directory: an empty answer removes them all.
    const at = now();
    const sunset = new Map(
      (await publishing.listUnpublications()).map(u => [
        u.serviceRef,
        u.sunsetAt,
      ]),
    );
    const approvals = new Map(
      (await publishing.listApprovals()).map(a => [a.serviceRef, a]),
    );
    const entities = (await publishing.listPublished())
      .filter(
        p => (sunset.get(`modelservice:default/${p.name}`) ?? Infinity) > at,
      )
      .map(p => {
        // A change waiting for review: the catalog shows the approved version.
        const a = approvals.get(`modelservice:default/${p.name}`);
        return a?.status === 'pending' && a.approvedEntity
          ? a.approvedEntity
          : p.entity;
      });
    res.json({ entities });
  });

  router.get('/v1/internal/approvals', async (req, res) => {
    await servicePrincipal(req);
    const approvals: Record<string, ApprovalStatus> = {};
    for (const a of await publishing.listApprovals()) {
      // A changed service waiting for review still serves its approved version.
      approvals[a.serviceRef] =
        a.status === 'pending' && a.approvedEntity ? 'approved' : a.status;
    }
    res.json({ approvals });
  });

  return router;
}
