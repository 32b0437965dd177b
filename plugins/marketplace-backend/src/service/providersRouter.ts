import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  marketplaceApprovalsManagePermission,
  ProviderEntityV1alpha1,
  ProviderProfile,
  ProviderVerificationInfo,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { createApiRouter } from '../schema/openapi';
import {
  ProviderVerification,
  ProviderVerificationStore,
} from '../stores/ProviderVerificationStore';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { Monitoring } from '../monitoring/Monitoring';
import { MonitoringStore } from '../stores/monitoring/MonitoringStore';
import { Access } from './access';
import { BrowseIndex } from './BrowseIndex';
import { toCard } from './cards';

export interface ProvidersRouterOptions {
  access: Access;
  directory: Pick<ServiceDirectory, 'listProviders'>;
  browseIndex: Pick<BrowseIndex, 'services' | 'query'>;
  monitoring?: Pick<Monitoring, 'combinedQuality'>;
  store: Pick<MonitoringStore, 'providerActiveUsers'>;
  verifications: ProviderVerificationStore;
  clock?: () => number;
}

function verificationInfo(
  entity: ProviderEntityV1alpha1,
  decision: ProviderVerification | undefined,
): ProviderVerificationInfo {
  return {
    verified: decision?.verified === true,
    claimed: entity.spec.verification.status,
    claimedAt: entity.spec.verification.verifiedAt ?? null,
    decidedBy: decision?.decidedBy ?? null,
    decidedAt: decision ? new Date(decision.decidedAt).toISOString() : null,
    note: decision?.note ?? null,
  };
}

/**
 * Provider profiles (`GET /marketplace/providers/:id`: the profile, its live
 * services as browse cards and their aggregate measured quality) and the admins'
 * verification decision (`PUT /marketplace/admin/providers/:id/verification`,
 * audited). The verification a Provider entity declares is shown only as its
 * claim.
 */
export function createProvidersRouter(
  options: ProvidersRouterOptions,
): express.Router {
  const { access, directory, browseIndex, monitoring, store, verifications } =
    options;
  const clock = options.clock ?? Date.now;
  const router = createApiRouter();

  function findProvider(id: string): [string, ProviderEntityV1alpha1] {
    const ref = `provider:default/${id}`.toLocaleLowerCase('en-US');
    const found = directory.listProviders().find(([r]) => r === ref);
    if (!found) {
      throw new NotFoundError(`No provider named '${id}'`);
    }
    return found;
  }

  router.get('/marketplace/providers/:id', async (req, res) => {
    await access.caller(req);
    const [ref, entity] = findProvider(req.params.id);
    const services = (await browseIndex.services())
      .filter(p => p.entity.spec.providedBy.toLocaleLowerCase('en-US') === ref)
      .sort((a, b) => a.name.localeCompare(b.name));
    const combined = await monitoring?.combinedQuality(
      services.map(p => p.ref),
    );
    let ratingSum = 0;
    let reviewCount = 0;
    let requests30d = 0;
    let totalTokens = 0;
    for (const p of services) {
      const { rating, reviewCount: n } = p.metrics;
      if (rating !== undefined && n) {
        ratingSum += rating * n;
        reviewCount += n;
      }
      requests30d += p.metrics.requests30d ?? 0;
      totalTokens += p.metrics.tokensTotal ?? 0;
    }
    const profile: ProviderProfile = {
      ref,
      entity,
      verification: verificationInfo(entity, await verifications.get(ref)),
      quality: {
        services: services.length,
        measuredServices: combined?.measured ?? 0,
        uptimePercent: combined?.availability.percent ?? null,
        uptimeDays: combined?.availability.days ?? 0,
        latencyP95Ms: combined?.traffic.latencyP95Ms ?? null,
        tokensPerSecondP50: combined?.traffic.tokensPerSecondP50 ?? null,
        requests30d,
        totalTokens,
        activeUsers30d: await store.providerActiveUsers(ref, clock()),
        rating:
          reviewCount === 0
            ? null
            : Math.round((ratingSum * 100) / reviewCount) / 100,
        reviewCount,
      },
    };
    res.json({ provider: profile, services: services.map(toCard) });
  });

  router.put(
    '/marketplace/admin/providers/:id/verification',
    async (req, res) => {
      const me = await access.caller(req);
      if (!(await access.allowed(me, marketplaceApprovalsManagePermission))) {
        throw new NotAllowedError('Only platform admins verify providers');
      }
      const [ref, entity] = findProvider(req.params.id);
      const body = req.body;
      // A note of only spaces is no note.
      const note = body.note?.trim();
      const decision = await verifications.decide({
        providerRef: ref,
        verified: body.verified,
        note: note ? note : null,
        actor: me.userRef,
      });
      res.json({ verification: verificationInfo(entity, decision) });
    },
  );

  return router;
}
