/** The publish template the marketplace's wizard runs (examples/templates/publish-llm-service). */
export const PUBLISH_TEMPLATE = {
  namespace: 'default',
  name: 'publish-llm-service',
};
