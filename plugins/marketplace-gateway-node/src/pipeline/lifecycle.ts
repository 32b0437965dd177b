import type { GatewayService } from './ports';

/**
 * The name of the service to move to: the one its owner named when
 * unpublishing it, else the entity's `spec.successor`; null without either.
 */
export function successorName(service: GatewayService): string | null {
  const ref = service.unpublication?.successorRef;
  if (ref) {
    return ref.slice(ref.indexOf('/') + 1);
  }
  return service.entity.spec.successor ?? null;
}

/**
 * The lifecycle headers of a gateway answer for a service its owners
 * unpublished: `Deprecation` (RFC 9745: since when, as a structured-field date
 * `@<epoch seconds>`), `Sunset` (RFC 8594: when it stops answering, an HTTP
 * date) and, when a successor is named, `Link: <its page>;
 * rel="successor-version"`. None for a service that is not retiring.
 *
 * @param portalBaseUrl - the portal's base URL, for the successor's page
 */
export function lifecycleHeaders(
  service: GatewayService,
  portalBaseUrl: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const { unpublication } = service;
  if (unpublication) {
    if (unpublication.unpublishedAt !== undefined) {
      headers.deprecation = `@${Math.floor(
        unpublication.unpublishedAt / 1000,
      )}`;
    }
    headers.sunset = new Date(unpublication.sunsetAt).toUTCString();
  }
  const successor = successorName(service);
  if (
    successor &&
    (unpublication || service.entity.spec.lifecycle === 'deprecated')
  ) {
    const page = `/catalog/default/modelservice/${encodeURIComponent(
      successor,
    )}`;
    headers.link = `<${
      portalBaseUrl ? portalBaseUrl.replace(/\/+$/, '') : ''
    }${page}>; rel="successor-version"`;
  }
  return headers;
}
