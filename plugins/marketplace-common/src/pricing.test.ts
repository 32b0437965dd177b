import {
  blendedPer1kMicros,
  costMicros,
  estimateMonthlyCost,
  platformFeeMicros,
  pricesAt,
  splitTrial,
} from './pricing';

const pricing = {
  currency: 'USD' as const,
  promptPer1kMicros: 2500,
  completionPer1kMicros: 10000,
  tiers: [
    {
      fromMonthlyTokens: 1_000_000,
      promptPer1kMicros: 2000,
      completionPer1kMicros: 8000,
    },
    {
      fromMonthlyTokens: 10_000_000,
      promptPer1kMicros: 1500,
      completionPer1kMicros: 6000,
    },
  ],
};

describe('pricing', () => {
  it('picks the tier reached by the tokens used before the request', () => {
    expect(pricesAt(pricing, 0)).toEqual({
      promptPer1kMicros: 2500,
      completionPer1kMicros: 10000,
    });
    expect(pricesAt(pricing, 999_999).promptPer1kMicros).toBe(2500);
    expect(pricesAt(pricing, 1_000_000).promptPer1kMicros).toBe(2000);
    expect(pricesAt(pricing, 50_000_000).completionPer1kMicros).toBe(6000);
  });

  it('costs tokens in integer micros, rounding up', () => {
    // 1000 prompt @ 2500/1K = 2500; 500 completion @ 10000/1K = 5000
    expect(costMicros(1000, 500, pricing)).toBe(7500);
    // 1 prompt token @ 2500/1K = 2.5 micros -> 3
    expect(costMicros(1, 0, pricing)).toBe(3);
    expect(costMicros(0, 0, pricing)).toBe(0);
    expect(
      Number.isInteger(
        costMicros(123, 457, {
          promptPer1kMicros: 77,
          completionPer1kMicros: 13,
        }),
      ),
    ).toBe(true);
  });

  it('spends trial tokens first, prompt before completion', () => {
    expect(splitTrial(100, 50, 1000)).toEqual({
      trialTokens: 150,
      billablePromptTokens: 0,
      billableCompletionTokens: 0,
    });
    expect(splitTrial(100, 50, 120)).toEqual({
      trialTokens: 120,
      billablePromptTokens: 0,
      billableCompletionTokens: 30,
    });
    expect(splitTrial(100, 50, 40)).toEqual({
      trialTokens: 40,
      billablePromptTokens: 60,
      billableCompletionTokens: 50,
    });
    expect(splitTrial(100, 50, 0)).toEqual({
      trialTokens: 0,
      billablePromptTokens: 100,
      billableCompletionTokens: 50,
    });
  });

  it('computes the platform fee in basis points, half up', () => {
    expect(platformFeeMicros(10_000, 1000)).toBe(1000); // 10%
    expect(platformFeeMicros(5, 1000)).toBe(1); // 0.5 -> 1
    expect(platformFeeMicros(4, 1000)).toBe(0); // 0.4 -> 0
    expect(platformFeeMicros(0, 1500)).toBe(0);
  });

  describe('estimateMonthlyCost', () => {
    it('matches billing request by request, with trial and tiers', () => {
      const input = {
        requestsPerMonth: 5000,
        avgPromptTokens: 700,
        avgCompletionTokens: 300,
        trialTokens: 2_500_500,
      };
      // reference: bill each request like the gateway does
      let trial = input.trialTokens;
      let used = 0;
      let cost = 0;
      for (let i = 0; i < input.requestsPerMonth; i++) {
        const split = splitTrial(700, 300, trial);
        trial -= split.trialTokens;
        cost += costMicros(
          split.billablePromptTokens,
          split.billableCompletionTokens,
          pricesAt(pricing, used),
        );
        used += 1000;
      }
      const estimate = estimateMonthlyCost(pricing, input);
      expect(estimate.totalTokens).toBe(5_000_000);
      expect(estimate.trialTokens).toBe(2_500_500);
      expect(estimate.billableTokens).toBe(5_000_000 - 2_500_500);
      expect(estimate.costMicros).toBe(cost);
    });

    it('handles thresholds that are not a multiple of the request size', () => {
      const input = {
        requestsPerMonth: 30_000,
        avgPromptTokens: 333,
        avgCompletionTokens: 111,
      };
      let used = 0;
      let cost = 0;
      for (let i = 0; i < input.requestsPerMonth; i++) {
        cost += costMicros(333, 111, pricesAt(pricing, used));
        used += 444;
      }
      expect(estimateMonthlyCost(pricing, input).costMicros).toBe(cost);
    });

    it('is zero for no usage and free within the trial', () => {
      expect(
        estimateMonthlyCost(pricing, {
          requestsPerMonth: 0,
          avgPromptTokens: 10,
          avgCompletionTokens: 10,
        }).costMicros,
      ).toBe(0);
      expect(
        estimateMonthlyCost(pricing, {
          requestsPerMonth: 10,
          avgPromptTokens: 10,
          avgCompletionTokens: 10,
          trialTokens: 1000,
        }).costMicros,
      ).toBe(0);
    });
  });
});

describe('blendedPer1kMicros', () => {
  it('weighs prompt and completion prices 3:1', () => {
    // (3 x 2,500 + 10,000) / 4 = 4,375
    expect(
      blendedPer1kMicros({
        promptPer1kMicros: 2500,
        completionPer1kMicros: 10000,
      }),
    ).toBe(4375);
  });

  it('rounds to the nearest micro', () => {
    // (3 x 1 + 2) / 4 = 1.25 -> 1; (3 x 1 + 4) / 4 = 1.75 -> 2
    expect(
      blendedPer1kMicros({ promptPer1kMicros: 1, completionPer1kMicros: 2 }),
    ).toBe(1);
    expect(
      blendedPer1kMicros({ promptPer1kMicros: 1, completionPer1kMicros: 4 }),
    ).toBe(2);
  });

  it('compares input-only (embedding) services on their input price', () => {
    expect(
      blendedPer1kMicros({ promptPer1kMicros: 100, completionPer1kMicros: 0 }),
    ).toBe(100);
  });

  it('puts a cheap-prompt, expensive-completion service above its prompt price', () => {
    expect(
      blendedPer1kMicros({
        promptPer1kMicros: 5000,
        completionPer1kMicros: 200000,
      }),
    ).toBe(53750);
  });
});
