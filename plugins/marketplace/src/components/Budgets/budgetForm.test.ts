import { parseBudgetForm } from './budgetForm';

describe('parseBudgetForm', () => {
  it('turns dollars into micro-USD and percents into a list', () => {
    expect(
      parseBudgetForm({
        amount: '$12.50',
        mode: 'hard',
        thresholds: '50, 80,100',
      }),
    ).toEqual({
      ok: true,
      input: {
        amountMicros: 12_500_000,
        mode: 'hard',
        thresholds: [50, 80, 100],
      },
    });
  });

  it('names each field that is wrong', () => {
    const result = parseBudgetForm({
      amount: '0',
      mode: 'soft',
      thresholds: '80, 50',
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        amount: expect.stringMatching(/^Monthly amount: /),
        thresholds: expect.stringMatching(/^Alert thresholds: /),
      },
    });
    for (const bad of ['', 'ten', '1.1234567', '-5']) {
      const r = parseBudgetForm({
        amount: bad,
        mode: 'hard',
        thresholds: '50',
      });
      expect(r.ok).toBe(false);
    }
    for (const bad of ['0', '101', '50, 50', '12.5', '']) {
      const r = parseBudgetForm({ amount: '5', mode: 'hard', thresholds: bad });
      expect(r).toEqual({
        ok: false,
        errors: { thresholds: expect.stringMatching(/^Alert thresholds: /) },
      });
    }
  });
});
