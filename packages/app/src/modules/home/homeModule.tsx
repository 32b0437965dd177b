import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const content = `
## Welcome to the LLM Marketplace

Find an LLM API, compare offers, try it in the browser, subscribe and call it
through our metering gateway with the OpenAI SDK you already use.

- **Browse models** in the [Marketplace](/marketplace)
- **See every provider and service** in the [Catalog](/catalog?filters%5Bkind%5D=modelservice)
- **Publish a service**: add a \`ModelService\` entity to your repository's
  \`catalog-info.yaml\` (see \`examples/services.yaml\`) and register it in the catalog
`;

const gettingStartedWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'Getting Started',
    description: 'Tips and links to help you get started with Backstage',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget],
});
