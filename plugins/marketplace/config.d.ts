export interface Config {
  marketplace?: {
    /**
     * Where "Report issue" on a ModelService page goes when the service has no
     * `spec.support.issuesUrl` and no issues link: a URL template in which
     * `{name}`, `{title}`, `{entityRef}` and `{provider}` are replaced
     * (URL-encoded), e.g. `https://tracker.example.com/new?title=LLM%20service%20{name}`.
     * @visibility frontend
     */
    reportIssueUrl?: string;
    /** How users sign in (the app's sign-in page). */
    signIn?: {
      /**
       * `oidc`: through the company's OpenID Connect identity provider (the
       * backend's `auth.providers.oidc`), as app-config.production.yaml sets.
       * Unset: the sample-user picker of development and the demo.
       * @visibility frontend
       */
      provider?: 'oidc';
      /**
       * The identity provider's name on the sign-in page, e.g. `Acme account`.
       * @visibility frontend
       */
      title?: string;
    };
    publishing?: {
      /**
       * Read by the publish template's Review & publish step to say whether a
       * new service goes live at once or waits for an admin's approval (the
       * backend enforces it; see the marketplace-backend's config). Defaults to true.
       * @visibility frontend
       */
      requireApproval?: boolean;
    };
  };
}
