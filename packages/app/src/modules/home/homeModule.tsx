import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  HomePageLayoutBlueprint,
  HomePageWidgetBlueprint,
} from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { marketplaceServicePublishPermission } from '@internal/plugin-marketplace-common';

const everyone = `
## Welcome to the LLM Marketplace

Find an LLM API, compare offers, try it in the browser, subscribe and call it
through our metering gateway with the OpenAI SDK you already use.

- **Browse models** in the [Marketplace](/marketplace)
- **Your keys, spend and statements** are under [My subscriptions](/marketplace/subscriptions)
- **See every provider and service** in the [Catalog](/catalog?filters%5Bkind%5D=modelservice)
`;

/** What members of provider teams (and admins) read besides. */
export const PROVIDER_TIPS = `
- **Publish a service** with the six-step form
  [Publish LLM service](/create/templates/default/publish-llm-service), or add a
  \`ModelService\` entity to your repository's \`catalog-info.yaml\` (see
  \`examples/services.yaml\`); edit portal services on the Services tab of the
  [Provider dashboard](/marketplace/provider?tab=services)
`;

/** The Getting Started text: provider tips only for those who may publish. */
export function GettingStarted() {
  const { allowed } = usePermission({
    permission: marketplaceServicePublishPermission,
  });
  return (
    <MarkdownContent content={allowed ? everyone + PROVIDER_TIPS : everyone} />
  );
}

const gettingStartedWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'Getting Started',
    description: 'Tips and links to help you get started with Backstage',
    components: async () => ({
      Content: () => <GettingStarted />,
    }),
  },
});

/** The home page's layout, with its `<main>` landmark. */
const homeLayout = HomePageLayoutBlueprint.make({
  params: {
    loader: async () => (await import('./HomeLayout')).HomeLayout,
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget, homeLayout],
});
