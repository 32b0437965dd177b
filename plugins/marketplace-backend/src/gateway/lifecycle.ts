import { DirectoryService, successorOf } from './ServiceDirectory';

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
  service: DirectoryService,
  portalBaseUrl: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const { unpublication } = service;
  if (unpublication) {
    headers.deprecation = `@${Math.floor(unpublication.unpublishedAt / 1000)}`;
    headers.sunset = new Date(unpublication.sunsetAt).toUTCString();
  }
  const successor = successorOf(service);
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
