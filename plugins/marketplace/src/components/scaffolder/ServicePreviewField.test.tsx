import { screen, within } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { configApiRef } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { previewCard, ServicePreview } from './ServicePreviewField';

const FORM = {
  name: 'team-llama-8b',
  title: 'Team Llama 8B',
  description: 'Llama for triage',
  family: 'llama',
  baseModel: 'llama-3.1-8b',
  providedBy: 'provider:default/acme-ai-platform',
  promptPer1k: '0.0002',
  completionPer1k: '0.0004',
  trialTokens: 100000,
  trialDurationDays: 30,
  contextWindow: 128000,
  maxOutputTokens: 4096,
  features: ['functionCalling', 'streaming'],
  region: 'europe',
  country: 'DE',
};

const acme = {
  apiVersion: 'marketplace.acme.io/v1alpha1',
  kind: 'Provider',
  metadata: { name: 'acme-ai-platform', namespace: 'default' },
  spec: {
    displayName: 'Acme AI Platform',
    verification: { status: 'verified' },
    owner: 'group:default/ai-platform-team',
  },
};

function renderPreview(requireApproval: boolean) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [
          configApiRef,
          mockApis.config({
            data: { marketplace: { publishing: { requireApproval } } },
          }),
        ],
        [catalogApiRef, catalogApiMock({ entities: [acme as any] })],
      ]}
    >
      <ServicePreview {...({ formContext: { formData: FORM } } as any)} />
    </TestApiProvider>,
  );
}

describe('MarketplaceServicePreview', () => {
  it('builds the browse card from the answers, with no measurements yet', () => {
    const card = previewCard(FORM, {
      name: 'Acme AI Platform',
      verified: true,
    });
    expect(card).toMatchObject({
      name: 'team-llama-8b',
      title: 'Team Llama 8B',
      pricing: { promptPer1kMicros: 200, completionPer1kMicros: 400 },
      trial: { tokens: 100000, durationDays: 30 },
      features: ['functionCalling', 'streaming'],
      blendedPer1kMicros: 250, // (3 x 200 + 400) / 4
      metrics: { rating: null, uptimePercent: null, requests30d: 0 },
    });
    expect(
      previewCard({ ...FORM, name: '' }, { name: '', verified: false }),
    ).toBeUndefined();
  });

  it('shows the card as browse will and says that the service waits for approval', async () => {
    await renderPreview(true);
    const preview = await screen.findByTestId('service-preview');
    const card = within(within(preview).getByTestId('service-card'));
    expect(card.getByText('Team Llama 8B')).toBeInTheDocument();
    expect(await card.findByText('Acme AI Platform')).toBeInTheDocument();
    expect(card.getByText('$0.0002')).toBeInTheDocument();
    expect(card.getByText('Free trial: 100K tokens')).toBeInTheDocument();
    expect(card.getAllByText('no data yet').length).toBeGreaterThan(0);
    expect(within(preview).getByTestId('goes-live')).toHaveTextContent(
      /waits for a platform admin/,
    );
  });

  it('says that the service goes live at once without approval', async () => {
    await renderPreview(false);
    expect(await screen.findByTestId('goes-live')).toHaveTextContent(
      /goes live at once/,
    );
  });
});
