export interface Config {
  marketplace?: {
    admins?: {
      /**
       * Group refs whose members are marketplace admins (may do everything), e.g.
       * group:default/platform-admins (the default).
       */
      groups?: string[];
      /**
       * How long the policy caches the admins' per-user role overrides read
       * from the marketplace backend, in seconds. Defaults to 5; changes made on
       * an instance apply at once there (and on every instance the events
       * backend reaches).
       */
      roleCacheSeconds?: number;
    };
    /**
     * Which catalog groups grant which marketplace role. Members of a group that
     * owns a Provider entity are providers too; everyone else is a consumer.
     */
    roles?: {
      /**
       * Full group refs of admins.
       *
       * @deprecated use marketplace.admins.groups
       */
      adminGroups?: string[];
      /** Full group refs of provider teams. */
      providerGroups?: string[];
    };
  };
}
