import { countTokens } from 'gpt-tokenizer';
import { simulateCompletion, truncateToTokens } from './generator';

const user = (content: string) => [{ role: 'user' as const, content }];

describe('simulateCompletion', () => {
  it('keeps its invariants across many prompts and caps', () => {
    for (let i = 0; i < 150; i++) {
      const maxTokens = [1, 2, 5, 17, 64, 100, 1000][i % 7];
      const completion = simulateCompletion({
        messages: user(`Question number ${i}?`),
        maxTokens,
      });
      expect(completion.completionTokens).toBe(countTokens(completion.content));
      expect(completion.chunks.map(c => c.text).join('')).toBe(
        completion.content,
      );
      expect(completion.chunks.reduce((sum, c) => sum + c.tokens, 0)).toBe(
        completion.completionTokens,
      );
      expect(completion.completionTokens).toBeLessThanOrEqual(maxTokens);
      // Cut answers use the whole budget; natural ones are 64+ tokens long.
      expect(completion.completionTokens).toBe(
        completion.finishReason === 'length'
          ? maxTokens
          : Math.max(64, completion.completionTokens),
      );
    }
  });

  it('keeps JSON mode valid for every cap', () => {
    for (const maxTokens of [1, 3, 8, 12, 30, 90, 1000]) {
      const completion = simulateCompletion({
        messages: user('Give me JSON'),
        maxTokens,
        jsonMode: true,
      });
      expect(() => JSON.parse(completion.content)).not.toThrow();
      expect(completion.completionTokens).toBeLessThanOrEqual(maxTokens);
    }
  });

  it('derives the answer from the last user message and the seed', () => {
    const a = simulateCompletion({
      messages: [
        { role: 'system', content: 'one' },
        { role: 'user', content: 'same' },
      ],
      maxTokens: 500,
    });
    const b = simulateCompletion({
      messages: [
        { role: 'system', content: 'two' },
        { role: 'user', content: 'same' },
      ],
      maxTokens: 500,
    });
    const c = simulateCompletion({
      messages: user('same'),
      seed: 1,
      maxTokens: 500,
    });
    expect(b.content).toBe(a.content);
    expect(c.content).not.toBe(a.content);
  });

  it('returns empty content when no tokens are left', () => {
    const completion = simulateCompletion({
      messages: user('x'),
      maxTokens: 0,
    });
    expect(completion).toMatchObject({
      content: '',
      completionTokens: 0,
      finishReason: 'length',
      chunks: [],
    });
  });
});

describe('truncateToTokens', () => {
  it('cuts at a token boundary', () => {
    const text = 'The gateway forwards every request to the upstream.';
    expect(countTokens(truncateToTokens(text, 4))).toBe(4);
    expect(truncateToTokens(text, 1000)).toBe(text);
    expect(truncateToTokens(text, 0)).toBe('');
  });
});
