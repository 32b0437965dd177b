import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fullModelService } from '../../__fixtures__/entities';
import { deprecationReason, StartUsingAction } from './StartUsingButton';

const deprecated = {
  ...fullModelService,
  spec: {
    ...fullModelService.spec,
    lifecycle: 'deprecated' as const,
    successor: 'acme-gpt-5',
  },
};

describe('StartUsingAction', () => {
  it('gives a deprecated service’s reason and successor', async () => {
    expect(deprecationReason(deprecated)).toBe(
      `Deprecated: ${fullModelService.metadata.title} takes no new subscriptions. Use acme-gpt-5 instead.`,
    );
    await renderInTestApp(
      <StartUsingAction entity={deprecated} onClick={jest.fn()} />,
    );
    const button = screen.getByRole('button', { name: /Start Using/ });
    expect(button).toBeDisabled();
    await userEvent.hover(button.parentElement!);
    expect(
      await screen.findByRole('tooltip', { name: /Use acme-gpt-5 instead/ }),
    ).toBeInTheDocument();
  });
});
