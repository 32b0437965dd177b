import dns from 'dns';
import { BlockList, isIP, LookupFunction } from 'net';

/**
 * Address ranges upstream and probe traffic never reaches unless the host is on
 * the allow list: loopback, "this network", private, carrier-grade NAT,
 * link-local (cloud metadata at 169.254.169.254), benchmarking, multicast and
 * reserved, and their IPv6 counterparts (unique-local, link-local, IPv4-mapped,
 * IPv4-compatible, NAT64 and 6to4 forms).
 */
const DENIED_V4 = new BlockList();
const DENIED_V6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  DENIED_V4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and IPv4-compatible
  ['::ffff:0:0', 96], // IPv4-mapped
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  DENIED_V6.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address is one upstream traffic must not reach by default. */
export function isDeniedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) {
    return DENIED_V4.check(bare, 'ipv4');
  }
  if (family === 6) {
    // Kept apart: a BlockList matches IPv4 addresses against IPv6 rules in
    // their mapped form, and the IPv4-mapped range is denied as a whole.
    return DENIED_V6.check(bare, 'ipv6') || DENIED_V4.check(bare, 'ipv6');
  }
  return true;
}

/** Why the egress policy refused a URL: the message names the problem in plain words. */
export class EgressDeniedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EgressDeniedError';
  }
}

/**
 * Problems of an upstream URL's shape (not of where it points): only http and
 * https, no user name or password, no fragment (`#` would cut off the path the
 * gateway appends), no query. Empty when it is fine. Used at ingestion and at
 * call time.
 */
export function upstreamUrlProblem(raw: string | URL): string | undefined {
  let url: URL;
  try {
    url = typeof raw === 'string' ? new URL(raw) : raw;
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'must be an http:// or https:// URL';
  }
  const authority =
    typeof raw === 'string' ? /^[a-z]+:[/\\]*([^/?#\\]*)/i.exec(raw)?.[1] : '';
  if (url.username || url.password || authority?.includes('@')) {
    return 'must not contain a user name or password';
  }
  if (url.hash || (typeof raw === 'string' && raw.includes('#'))) {
    return 'must not contain a fragment (#)';
  }
  if (url.search || (typeof raw === 'string' && raw.includes('?'))) {
    return 'must not contain a query (?)';
  }
  return undefined;
}

/** How an allow list entry matches: a host name or address, with or without a port. */
interface AllowedHost {
  host: string;
  port?: string;
}

function parseAllowedHost(entry: string): AllowedHost {
  const trimmed = entry.trim().toLocaleLowerCase('en-US');
  // [v6]:port, [v6], host:port, host
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) {
    return { host: `[${bracketed[1]}]`, port: bracketed[2] };
  }
  const withPort = /^([^:]+):(\d+)$/.exec(trimmed);
  if (withPort) {
    return { host: withPort[1], port: withPort[2] };
  }
  return { host: trimmed };
}

function defaultPort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/**
 * The egress policy of upstream and probe traffic. A URL is checked for its
 * shape; then, unless its host (or host:port) is on `marketplace.egress.allowedHosts`,
 * the connection goes only to public addresses: an IP literal is checked as is,
 * a host name is resolved once per connection and the connection is pinned to
 * the checked address (so a second DNS answer cannot point elsewhere).
 */
export class EgressPolicy {
  private readonly allowed: AllowedHost[];

  /** From `marketplace.egress` of a config (Backstage's Config or a ConfigReader). */
  static fromConfig(config: {
    getOptionalStringArray(key: string): string[] | undefined;
  }): EgressPolicy {
    return new EgressPolicy({
      allowedHosts:
        config.getOptionalStringArray('marketplace.egress.allowedHosts') ?? [],
    });
  }

  constructor(
    options: {
      allowedHosts?: string[];
      /** Resolves host names (tests); defaults to the system resolver. */
      resolve?: (
        hostname: string,
      ) => Promise<Array<{ address: string; family: number }>>;
    } = {},
  ) {
    this.allowed = (options.allowedHosts ?? []).map(parseAllowedHost);
    this.resolve =
      options.resolve ??
      (hostname =>
        dns.promises.lookup(hostname, { all: true, verbatim: true }));
  }

  private readonly resolve: (
    hostname: string,
  ) => Promise<Array<{ address: string; family: number }>>;

  /** Whether the URL's host is on the allow list (may then reach any address). */
  isAllowedHost(url: URL): boolean {
    const host = url.hostname.toLocaleLowerCase('en-US');
    const port = defaultPort(url);
    return this.allowed.some(
      a => a.host === host && (a.port === undefined || a.port === port),
    );
  }

  /**
   * Parses and checks a URL before a request: throws EgressDeniedError for a
   * bad shape or an IP address outside the policy. Host names are checked when
   * connecting, through `requestOptions`.
   */
  check(raw: string | URL): URL {
    const problem = upstreamUrlProblem(raw);
    if (problem) {
      throw new EgressDeniedError(`The upstream URL ${problem}`);
    }
    const url = typeof raw === 'string' ? new URL(raw) : raw;
    if (this.isAllowedHost(url)) {
      return url;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && isDeniedAddress(host)) {
      throw new EgressDeniedError(
        `The upstream address ${url.hostname} is in a private, loopback or link-local range, which the marketplace does not call (marketplace.egress.allowedHosts)`,
      );
    }
    return url;
  }

  /**
   * Options for `http.request` of a checked URL: a `lookup` that resolves the
   * host, refuses it when any address is outside the policy and connects to
   * the address it checked.
   */
  requestOptions(url: URL): { lookup?: LookupFunction } {
    if (this.isAllowedHost(url)) {
      return {};
    }
    const lookup: LookupFunction = (hostname, options, callback) => {
      this.resolve(hostname).then(
        addresses => {
          const denied = addresses.find(a => isDeniedAddress(a.address));
          if (addresses.length === 0 || denied) {
            const error = new EgressDeniedError(
              `The upstream host ${hostname} resolves to ${
                denied ? 'a private, loopback or link-local address' : 'nothing'
              }, which the marketplace does not call (marketplace.egress.allowedHosts)`,
            );
            (error as NodeJS.ErrnoException).code = 'EGRESS_DENIED';
            callback(error as NodeJS.ErrnoException, '', 4);
            return;
          }
          const wanted =
            options.family === 4 || options.family === 6
              ? addresses.filter(a => a.family === options.family)
              : addresses;
          if (options.all) {
            (callback as any)(null, wanted);
          } else if (wanted.length > 0) {
            callback(null, wanted[0].address, wanted[0].family);
          } else {
            const error: NodeJS.ErrnoException = new Error(
              `No IPv${options.family} address for ${hostname}`,
            );
            error.code = 'ENOTFOUND';
            callback(error, '', 4);
          }
        },
        error => callback(error, '', 4),
      );
    };
    return { lookup };
  }
}
