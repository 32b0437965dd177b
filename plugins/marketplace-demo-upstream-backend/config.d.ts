export interface Config {
  marketplace?: {
    /**
     * Settings for the demo OpenAI-compatible LLM simulator that the dev
     * backend hosts under /api/demo-upstream/v1.
     */
    demoUpstream?: {
      /**
       * Whether the simulator is served. It is off unless this is `true`.
       */
      enabled?: boolean;

      /**
       * A folder whose YAML files are served under
       * /api/demo-upstream/sample-team-repo/ without a token: a stand-in for a team's
       * repository host, so "Register existing component" can be tried in development.
       * Relative to the backend's working directory (packages/backend).
       */
      sampleTeamRepo?: string;

      /**
       * The upstream API key callers must send as `Authorization: Bearer <apiKey>`.
       * Required when `enabled` is true.
       *
       * @visibility secret
       */
      apiKey?: string;

      /**
       * Latency and failure settings used by every model unless the model
       * overrides them.
       */
      defaults?: {
        /**
         * Delay before the first token, in milliseconds. Defaults to 300.
         */
        timeToFirstTokenMs?: number;
        /**
         * Generation speed once the first token is out. Defaults to 60.
         */
        tokensPerSecond?: number;
        /**
         * Probability (0..1) that a request is answered with a simulated
         * 500/503 server error. Defaults to 0.
         */
        failureRate?: number;
      };

      /**
       * The models the simulator serves. Requests for any other model id are
       * answered with 404 `model_not_found`. When omitted, a small built-in
       * catalogue (gpt-4o, gpt-4o-mini) is served.
       */
      models?: Array<{
        /**
         * The model id, as sent in the `model` field of requests.
         */
        id: string;
        /**
         * Overrides `defaults.timeToFirstTokenMs` for this model.
         */
        timeToFirstTokenMs?: number;
        /**
         * Overrides `defaults.tokensPerSecond` for this model.
         */
        tokensPerSecond?: number;
        /**
         * Overrides `defaults.failureRate` for this model.
         */
        failureRate?: number;
        /**
         * The HTTP status of the injected failures: 429, 500, 502 or 503.
         * Unset: half 503 (overloaded), half 500.
         */
        failureStatus?: 429 | 500 | 502 | 503;
        /**
         * Maximum prompt + completion tokens. Defaults to 128000.
         */
        contextWindow?: number;
        /**
         * Maximum completion tokens per request. Defaults to 16384.
         */
        maxOutputTokens?: number;
        /**
         * The `owned_by` value reported by /v1/models. Defaults to "demo-upstream".
         */
        ownedBy?: string;
      }>;
    };
  };
}
