import {
  blendedPricePer1k,
  ModelServiceEntityV1alpha1,
  RouteDefinition,
} from '@internal/plugin-marketplace-common';

/** What route resolution needs of a service. */
export interface RoutableService {
  name: string;
  ref: string;
  entity: ModelServiceEntityV1alpha1;
  /** Approved, published and not unpublished. */
  live: boolean;
}

export interface ResolvedRoute<S extends RoutableService = RoutableService> {
  definition: RouteDefinition;
  /** In declared order (members list), else by name. */
  members: S[];
  excluded: { name: string; reason: string }[];
}

/** Why a service cannot serve in a route, or undefined when it can. */
function ineligible(
  s: RoutableService,
  route: RouteDefinition,
): string | undefined {
  if (!s.live) {
    return 'not published in the marketplace';
  }
  const { spec } = s.entity;
  if (spec.lifecycle !== 'active') {
    return `lifecycle is ${spec.lifecycle}`;
  }
  const { regions, compliance, maxBlendedPer1kMicros } = route.constraints;
  if (regions?.length && !regions.includes(spec.geographic.region)) {
    return `runs in ${spec.geographic.region}, not ${regions.join(' or ')}`;
  }
  const missing = (compliance ?? []).filter(c => !spec.compliance.includes(c));
  if (missing.length) {
    return `not certified ${missing.join(', ')}`;
  }
  const blended = blendedPricePer1k(spec.pricing);
  if (maxBlendedPer1kMicros !== undefined && blended > maxBlendedPer1kMicros) {
    return `blended price ${blended} micro-USD per 1K tokens is above the route's ${maxBlendedPer1kMicros}`;
  }
  return undefined;
}

/** A derived route's name from a base model: `llama-3.3-70b-instruct`. */
export function derivedRouteName(baseModel: string): string {
  return baseModel
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 63);
}

/**
 * Resolves the routes over the current services: declared routes take their
 * listed members (or their base model's services); with `derive`, every base
 * model that two or more eligible services (not fine-tunes) serve gets a route
 * named after it, unless a declared route covers it. A route never takes the
 * name of a service. Pure.
 */
export function resolveRoutes<S extends RoutableService>(
  declared: readonly RouteDefinition[],
  services: readonly S[],
  options: { derive: boolean; onWarning?: (message: string) => void },
): ResolvedRoute<S>[] {
  const byName = new Map(services.map(s => [s.name, s]));
  const out: ResolvedRoute<S>[] = [];
  const taken = new Set<string>();

  const resolve = (route: RouteDefinition, candidates: S[]) => {
    const members: S[] = [];
    const excluded: { name: string; reason: string }[] = [];
    for (const s of candidates) {
      const reason = ineligible(s, route);
      if (reason) {
        excluded.push({ name: s.name, reason });
      } else {
        members.push(s);
      }
    }
    return { definition: route, members, excluded };
  };

  for (const route of declared) {
    if (byName.has(route.name)) {
      options.onWarning?.(
        `Route '${route.name}' is not served: a model service has that name`,
      );
      continue;
    }
    let candidates: S[];
    const missing: { name: string; reason: string }[] = [];
    if (route.members) {
      candidates = [];
      for (const name of route.members) {
        const s = byName.get(name);
        if (s) {
          candidates.push(s);
        } else {
          missing.push({ name, reason: 'no model service has this name' });
        }
      }
    } else {
      candidates = services
        .filter(s => s.entity.spec.baseModel === route.baseModel)
        .sort((a, b) => a.name.localeCompare(b.name));
    }
    const resolved = resolve(route, candidates);
    resolved.excluded.push(...missing);
    out.push(resolved);
    taken.add(route.name);
  }

  if (options.derive) {
    const covered = new Set(
      declared.filter(r => r.baseModel).map(r => r.baseModel),
    );
    const groups = new Map<string, S[]>();
    for (const s of services) {
      const base = s.entity.spec.baseModel;
      if (!base || covered.has(base) || s.entity.spec.features.fineTuned) {
        continue;
      }
      groups.set(base, [...(groups.get(base) ?? []), s]);
    }
    for (const [baseModel, group] of [...groups].sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      const name = derivedRouteName(baseModel);
      if (!name || byName.has(name) || taken.has(name)) {
        continue;
      }
      const route: RouteDefinition = {
        name,
        title: `${baseModel} (any provider)`,
        baseModel,
        policy: 'price',
        constraints: {},
        source: 'derived',
      };
      const resolved = resolve(
        route,
        [...group].sort((a, b) => a.name.localeCompare(b.name)),
      );
      if (resolved.members.length >= 2) {
        out.push(resolved);
        taken.add(name);
      }
    }
  }
  return out;
}
