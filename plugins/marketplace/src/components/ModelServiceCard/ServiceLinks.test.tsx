import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  fullModelService,
  minimalModelService,
} from '../../__fixtures__/entities';
import { documentationUrl, reportIssueUrl, ServiceLinks } from './ServiceLinks';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };
const TEMPLATE =
  'https://tracker.example/new?title=Problem%20with%20{title}&svc={entityRef}&p={provider}';

describe('ServiceLinks', () => {
  it('prefers the service support URLs, then entity links, then the configured template', () => {
    expect(documentationUrl(fullModelService)).toBe(
      'https://docs.acme.example/gpt-4o',
    );
    expect(reportIssueUrl(fullModelService, TEMPLATE)).toBe(
      'https://issues.acme.example/gpt-4o',
    );

    const withLinks = {
      ...minimalModelService,
      metadata: {
        ...minimalModelService.metadata,
        links: [
          { url: 'https://wiki.example/llama', title: 'Docs', type: 'docs' },
          { url: 'https://jira.example/LLAMA', title: 'Issue tracker' },
        ],
      },
    };
    expect(documentationUrl(withLinks)).toBe('https://wiki.example/llama');
    expect(reportIssueUrl(withLinks, TEMPLATE)).toBe(
      'https://jira.example/LLAMA',
    );

    // Script links (ingested before the catalog refused them) are never followed (issue 16).
    const scripted = {
      ...minimalModelService,
      metadata: {
        ...minimalModelService.metadata,
        links: [
          { url: `${'javascript'}:alert(1)`, title: 'Docs', type: 'docs' },
          { url: ' data:text/html,<script>x</script>', title: 'Issues' },
        ],
      },
    };
    expect(documentationUrl(scripted)).toBeUndefined();
    expect(reportIssueUrl(scripted, undefined)).toBeUndefined();

    expect(documentationUrl(minimalModelService)).toBeUndefined();
    expect(reportIssueUrl(minimalModelService, undefined)).toBeUndefined();
    expect(reportIssueUrl(minimalModelService, TEMPLATE)).toBe(
      'https://tracker.example/new?title=Problem%20with%20internal-llama&svc=modelservice%3Adefault%2Finternal-llama&p=internal-llm',
    );
  });

  it('links Report issue to the configured tracker when the service has none', async () => {
    await renderInTestApp(
      <EntityProvider entity={minimalModelService}>
        <ServiceLinks entity={minimalModelService} />
      </EntityProvider>,
      {
        mountedRoutes,
        config: { marketplace: { reportIssueUrl: TEMPLATE } },
      },
    );
    const nav = within(
      await screen.findByRole('navigation', { name: 'Service actions' }),
    );
    expect(nav.getByRole('link', { name: 'Report issue' })).toHaveAttribute(
      'href',
      expect.stringContaining('svc=modelservice%3Adefault%2Finternal-llama'),
    );
    expect(
      nav.getByRole('button', { name: 'View documentation' }),
    ).toBeDisabled();
    expect(nav.getByRole('link', { name: 'Test API' })).toHaveAttribute(
      'href',
      '/catalog/default/modelservice/internal-llama/api',
    );
  });
});
