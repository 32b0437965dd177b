import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { HomeLayout } from './HomeLayout';

describe('HomeLayout', () => {
  it('puts the grid of widgets inside the page’s main landmark', async () => {
    await renderInTestApp(
      <HomeLayout
        widgets={[
          {
            node: {} as any,
            name: 'getting-started',
            component: <div>Welcome to the LLM Marketplace</div>,
          },
        ]}
      />,
    );
    const main = await screen.findByRole('main');
    // The customisable grid of widgets, inside the landmark.
    expect(main).toHaveTextContent('Add widget');
  });
});
