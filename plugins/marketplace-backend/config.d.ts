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
    /**
     * Upstream credentials named by ModelService entities
     * (`spec.endpoint.auth.secretRef`). When a name is missing here the gateway
     * reads the environment variable of the same name.
     *
     * @visibility secret
     */
    secrets?: { [name: string]: string };
  };
}
