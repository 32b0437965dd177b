export interface Config {
  marketplace?: {
    /**
     * Which catalog groups grant which marketplace role. Members of an admin group
     * may do everything; members of a provider group may publish services.
     * Everyone else is a consumer.
     */
    roles?: {
      /** Full group refs, e.g. group:default/platform-admins */
      adminGroups?: string[];
      /** Full group refs of provider teams. */
      providerGroups?: string[];
    };
  };
}
