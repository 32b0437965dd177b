export interface Config {
  marketplace?: {
    /**
     * Platform fee taken from every charged request, in percent (e.g. 10 = 10%).
     * Defaults to 10.
     */
    platformFeePercent?: number;
    gateway?: {
      /**
       * How long the gateway waits for the upstream's headers, and for each silence
       * of a stream, in milliseconds. Defaults to 120000.
       */
      upstreamTimeoutMs?: number;
      /**
       * Identifies this backend instance in the reservations it holds, so a restart
       * can settle what it left behind. Defaults to hostname:port. Must be unique and
       * stable per instance when several instances share one database.
       */
      instanceId?: string;
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
    /**
     * Upstream credentials named by ModelService entities
     * (`spec.endpoint.auth.secretRef`). When a name is missing here the gateway
     * reads the environment variable of the same name, but only for names that
     * start with `MARKETPLACE_SECRET_` (so a service cannot name any other
     * variable of the backend's environment).
     *
     * @visibility secret
     */
    secrets?: { [name: string]: string };
  };
}
