import { useState } from 'react';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { configApiRef } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { PublishReviewStep } from './PublishWizard';

const FORM = {
  name: 'team-llama-8b',
  title: 'Team Llama 8B',
  description: 'Llama for triage',
  family: 'llama',
  providedBy: 'provider:default/acme-ai-platform',
  promptPer1k: '0.0002',
  completionPer1k: '0.0004',
  contextWindow: 128000,
  maxOutputTokens: 4096,
  features: ['streaming'],
  region: 'europe',
  country: 'DE',
};

function Step(props: { handleCreate: () => void; handleBack: () => void }) {
  const [accepted, setAccepted] = useState(false);
  return (
    <PublishReviewStep
      formData={FORM}
      steps={[]}
      disableButtons={false}
      handleReset={() => {}}
      handleBack={props.handleBack}
      handleCreate={props.handleCreate}
      termsAccepted={accepted}
      onTermsAccepted={setAccepted}
    />
  );
}

describe('PublishReviewStep', () => {
  it('shows the card, whether the service waits for approval, and publishes only with the terms accepted', async () => {
    const handleCreate = jest.fn();
    const handleBack = jest.fn();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            configApiRef,
            mockApis.config({
              data: { marketplace: { publishing: { requireApproval: true } } },
            }),
          ],
          [catalogApiRef, catalogApiMock({ entities: [] })],
        ]}
      >
        <Step handleCreate={handleCreate} handleBack={handleBack} />
      </TestApiProvider>,
    );
    expect(await screen.findByTestId('service-card')).toHaveTextContent(
      'Team Llama 8B',
    );
    expect(screen.getByTestId('goes-live')).toHaveTextContent(
      /waits for a platform admin’s approval/,
    );
    expect(screen.getByText(/The platform keeps its fee/)).toBeVisible();

    const publish = screen.getByRole('button', { name: 'Publish' });
    await userEvent.click(publish);
    expect(handleCreate).not.toHaveBeenCalled();
    expect(
      screen.getByText('Accept the provider terms to publish'),
    ).toBeVisible();

    await userEvent.click(
      screen.getByRole('checkbox', { name: 'I accept the provider terms' }),
    );
    await userEvent.click(publish);
    expect(handleCreate).toHaveBeenCalledTimes(1);

    await userEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(handleBack).toHaveBeenCalledTimes(1);
  });
});
