import { ManagedService } from '@internal/plugin-marketplace-common';
import { ServiceTimesStore } from '../../stores/ServiceTimesStore';
import {
  catalogLocationOf,
  DirectoryService,
  publicationOf,
} from '../../catalog/directoryService';

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** createdAt / updatedAt of any service, catalog YAML ones included. */
function timesOf(
  s: DirectoryService,
  serviceTimes?: Pick<ServiceTimesStore, 'get'>,
) {
  const known = serviceTimes?.get(s.ref);
  const createdAt = known?.createdAt ?? s.published?.createdAt;
  const updatedAt = known?.updatedAt ?? s.published?.updatedAt;
  return createdAt === undefined
    ? undefined
    : { createdAt: iso(createdAt), updatedAt: iso(updatedAt ?? createdAt) };
}

/** A service as its owners manage it (the Provider Management API's shape). */
export function toManagedService(
  s: DirectoryService,
  serviceTimes?: Pick<ServiceTimesStore, 'get'>,
  extra: Pick<ManagedService, 'priceHistory'> = {},
): ManagedService {
  const times = timesOf(s, serviceTimes);
  return {
    id: s.published?.id ?? s.name,
    name: s.name,
    entityRef: s.ref,
    location: catalogLocationOf(s),
    createdBy: s.published?.createdBy ?? null,
    createdAt: times?.createdAt ?? null,
    updatedAt: times?.updatedAt ?? null,
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
