export interface Config {
  marketplace?: {
    /**
     * Platform fee taken from every charged request, in percent (e.g. 10 = 10%).
     * Defaults to 10.
     */
    platformFeePercent?: number;
    /**
     * Routes declared by the platform team: one gateway `model` in front of
     * several services serving the same base model. Members are the listed
     * services (`members`, in order) or the active services of `baseModel`.
     */
    routes?: Array<{
      /** The gateway `model` of the route; must not be a service's name. */
      name: string;
      title?: string;
      description?: string;
      baseModel?: string;
      members?: string[];
      /**
       * `price` (lowest blended price, the default), `latency` (lowest
       * measured p95 time to first token), `throughput` (highest measured
       * output tokens per second) or `order` (the members' order).
       */
      policy?: 'price' | 'latency' | 'throughput' | 'order';
      constraints?: {
        regions?: string[];
        compliance?: string[];
        /** Highest blended price per 1K tokens in micro-USD. */
        maxBlendedPer1kMicros?: number;
      };
    }>;
    routing?: {
      /**
       * A route for every base model that two or more active services serve
       * (fine-tunes left out), named after the base model. Defaults to true.
       */
      deriveFromBaseModel?: boolean;
    };
    gateway?: {
      /**
       * How long the gateway waits for the upstream's headers, and for each silence
       * of a stream, in milliseconds. Defaults to 120000.
       */
      upstreamTimeoutMs?: number;
      /**
       * The longest a forwarded request (a stream included) may take, in
       * milliseconds; a longer one is ended as a timeout (not charged). The
       * periodic sweep settles only reservations older than this (plus two
       * minutes), so it never touches a request in flight. Defaults to 1800000.
       */
      maxRequestDurationMs?: number;
      /**
       * Identifies this backend instance in the reservations it holds, so a restart
       * can settle what it left behind. Defaults to hostname:port. Must be unique and
       * stable per instance when several instances share one database.
       */
      instanceId?: string;
      /**
       * Redis shared by several gateway instances (embedded backends and
       * standalone gateways on one database): the rate limits (requests and
       * tokens per minute per subscription) hold across instances, and changes
       * (services, keys) reach every instance at once. Without it, limits are
       * per process. While Redis is unreachable the gateway keeps serving with
       * limits per instance, and says so in its log and health.
       */
      redis?: {
        /**
         * `redis://[:password@]host:port[/db]` (or `rediss://`).
         *
         * @visibility secret
         */
        url: string;
        /** Prepended to every key and channel. Defaults to `marketplace:gateway:`. */
        keyPrefix?: string;
      };
      /** The gateway as a process of its own (`yarn workspace gateway serve`). */
      standalone?: {
        listen?: {
          /** Defaults to 7017. */
          port?: number;
          /** Defaults to every interface. */
          host?: string;
        };
        /**
         * A token the portal backend accepts for reading the catalog (a static
         * token of `backend.auth.externalAccess`), for the team-membership check
         * of team-billed subscriptions. Without it they are served unchecked.
         *
         * @visibility secret
         */
        catalogToken?: string;
      };
      /**
       * The largest single event of a relayed stream, in bytes; a larger one
       * ends the stream with an `upstream_stream_too_large` error event (not
       * charged). Defaults to 1048576 (1 MiB).
       */
      maxStreamEventBytes?: number;
      /**
       * The most a relayed stream may send in all, in bytes; past it the stream
       * ends with an `upstream_stream_too_large` error event (not charged).
       * Defaults to 33554432 (32 MiB).
       */
      maxStreamBytes?: number;
    };
    egress?: {
      /**
       * Hosts the gateway, the Test API and the prober may call although they
       * resolve to a loopback, private, link-local or unique-local address:
       * `host` (any port) or `host:port`, e.g. `localhost:7007` for the demo
       * upstream in development. Every other upstream must resolve to public
       * addresses only (checked at each connection, which is pinned to the
       * checked address). Defaults to none.
       */
      allowedHosts?: string[];
    };
    publishing?: {
      /**
       * Whether new services (published through the portal, or seen in catalog
       * YAML for the first time) wait for an admin's approval before they are in
       * browse and the gateway. Defaults to true.
       */
      requireApproval?: boolean;
      /**
       * Days an unpublished service keeps serving its existing subscribers before
       * the gateway answers 410 (unless the unpublish request names a date).
       * Defaults to 30.
       */
      sunsetDays?: number;
    };
    /** Announced price changes. */
    pricing?: {
      /**
       * How many days ahead a price increase is announced (0-365); decreases
       * may apply at once. Defaults to 30.
       */
      noticeDays?: number;
    };
    /** SLA credits of services that missed their committed uptime in a month. */
    sla?: {
      /**
       * The credit table: a service whose measured uptime of a closed month is
       * below `below` (an uptime percent, or `committed` for its own commitment)
       * credits `percent` of that month's charges to its customers and deducts
       * them from its provider's payout; the highest matching row applies.
       * Defaults to 10 % below the commitment and 25 % below 99 %.
       */
      credits?: Array<{ below: 'committed' | number; percent: number }>;
      /**
       * Counted checks (up or down) a month needs before its uptime is
       * measured; fewer give no credit. Defaults to 60.
       */
      minimumProbes?: number;
    };
    monitoring?: {
      /** Whether the health prober and the rollup run. Defaults to true. */
      enabled?: boolean;
      /** Seconds between two checks of every live service. Defaults to 60. */
      probeIntervalSeconds?: number;
      /** How long one check may take, in milliseconds. Defaults to 10000. */
      probeTimeoutMs?: number;
      /** How many services are checked at the same time. Defaults to 8. */
      probeConcurrency?: number;
      /**
       * The check of services without the `marketplace.acme.io/probe`
       * annotation: `models` (GET {baseUrl}/models, the default) or `chat` (a
       * one-token chat completion, billed by the provider).
       */
      probeMode?: 'models' | 'chat';
      /**
       * Days probes and hourly rollups are kept (at least 31). Ledger rows are
       * billing data and are never deleted. Defaults to 90.
       */
      retentionDays?: number;
    };
    /**
     * Upstream credentials named by ModelService entities
     * (`spec.endpoint.auth.secretRef`), each bound to the providers whose
     * services may use it (`providers: [provider:default/acme-ai-platform]`):
     * the gateway and the prober refuse to send a credential for a service of
     * another provider. A plain string (and an environment variable named
     * `MARKETPLACE_SECRET_*`) is usable by every provider, in development only
     * (not when NODE_ENV is production), with a warning at startup.
     *
     * @visibility secret
     */
    secrets?: {
      [name: string]:
        | string
        | {
            /**
             * The credential.
             *
             * @visibility secret
             */
            value: string;
            /** Provider entity refs whose services may use it. */
            providers: string[];
          };
    };
    /** Credentials providers store in the portal (Provider page). */
    credentials?: {
      /**
       * AES-256-GCM keys, 32 random bytes each, base64 or hex. The first
       * encrypts; all decrypt. To rotate: put a new key first, restart every
       * instance (each re-encrypts the stored values with the first key at
       * startup), then remove the old key. Without a key providers cannot
       * store credentials.
       *
       * @visibility secret
       */
      encryptionKeys?: string[];
    };
  };
}
