import { NotFoundError } from '@backstage/errors';
import {
  ProviderSummary,
  ServiceSummary,
} from '@internal/plugin-marketplace-common';
import { SubscriptionStore } from '../../stores/SubscriptionStore';
import { ServiceDirectory } from '../../catalog/ServiceDirectory';
import { isLive, publicationOf } from '../../catalog/directoryService';
import { Caller, ownerRefOf } from '../access';

/** Every Provider with the number of its live services, by name. */
export function providerSummaries(
  directory: ServiceDirectory,
): ProviderSummary[] {
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

/** One Provider and its live services, with the caller's subscriptions. */
export async function providerWithServices(
  directory: ServiceDirectory,
  subscriptions: SubscriptionStore,
  me: Caller,
  name: string,
): Promise<{ provider: ProviderSummary; services: ServiceSummary[] }> {
  const ref = `provider:default/${name}`.toLocaleLowerCase('en-US');
  const provider = providerSummaries(directory).find(p => p.ref === ref);
  if (!provider) {
    throw new NotFoundError(`No provider named '${name}'`);
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
  return { provider, services };
}
