import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { Budget } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { mockMarketplaceApi } from '../../__fixtures__/marketplaceApi';
import { BudgetsSection } from './BudgetsSection';

const USER = 'user:default/lena.fischer';

const userBudget: Budget = {
  scope: 'user',
  ref: USER,
  amountMicros: 50_000_000,
  mode: 'hard',
  thresholds: [50, 80, 95, 100],
  period: '2026-12',
  spendMicros: 31_200_000,
  reservedMicros: 200_000,
  remainingMicros: 18_600_000,
  alertsSent: [50],
  updatedBy: USER,
  updatedAt: '2026-12-01T08:00:00.000Z',
};

describe('BudgetsSection', () => {
  it("shows the user's budget and the owned teams', and refuses bad input naming the field", async () => {
    const api = mockMarketplaceApi({
      listBudgets: jest.fn().mockResolvedValue({
        period: '2026-12',
        items: [userBudget],
        ownedTeams: [
          { ref: 'group:default/checkout-team', title: 'Checkout Engineering' },
        ],
      }),
      putBudget: jest.fn().mockResolvedValue(userBudget),
    });
    renderInTestApp(<BudgetsSection userRef={USER} />, {
      apis: [[marketplaceApiRef, api]],
    });
    const mine = within(await screen.findByTestId('budget-user'));
    expect(mine.getByText('Hard')).toBeInTheDocument();
    expect(mine.getByTestId('budget-left')).toHaveTextContent('$18.60 left');
    expect(mine.getByText(/sent this month: 50 %/)).toBeInTheDocument();
    const team = within(
      screen.getByTestId('budget-team-group:default/checkout-team'),
    );
    expect(
      team.getByText('Team budget of Checkout Engineering'),
    ).toBeInTheDocument();

    await userEvent.click(team.getByRole('button', { name: 'Set a budget' }));
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.type(dialog.getByLabelText('Monthly amount (USD)'), 'ten');
    await userEvent.click(dialog.getByRole('button', { name: 'Save budget' }));
    expect(
      dialog.getByText(/^Monthly amount: enter an amount in USD above 0/),
    ).toBeInTheDocument();
    expect(api.putBudget).not.toHaveBeenCalled();

    await userEvent.clear(dialog.getByLabelText('Monthly amount (USD)'));
    await userEvent.type(dialog.getByLabelText('Monthly amount (USD)'), '120');
    await userEvent.click(dialog.getByLabelText(/^Soft/));
    await userEvent.click(dialog.getByRole('button', { name: 'Save budget' }));
    await waitFor(() =>
      expect(api.putBudget).toHaveBeenCalledWith(
        'team',
        'group:default/checkout-team',
        {
          amountMicros: 120_000_000,
          mode: 'soft',
          thresholds: [50, 80, 95, 100],
        },
      ),
    );
  });
});
