import { simulateToolCall } from './tools';

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer' },
      },
      required: ['city', 'unit', 'days'],
    },
  },
};

const base = {
  model: 'gpt-4o',
  messages: [
    { role: 'user' as const, content: 'What is the weather in Paris?' },
  ],
};

describe('simulateToolCall', () => {
  it('calls the named or required tool with arguments that fit its schema', () => {
    const named = simulateToolCall({
      ...base,
      tools: [weather],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    } as any)!;
    expect(named.name).toBe('get_weather');
    expect(JSON.parse(named.arguments)).toEqual({
      city: 'city',
      unit: 'celsius',
      days: 1,
    });
    expect(named.id).toMatch(/^call_/);
    expect(named.completionTokens).toBeGreaterThan(0);
    expect(
      simulateToolCall({
        ...base,
        tools: [weather],
        tool_choice: 'required',
      } as any)?.name,
    ).toBe('get_weather');
  });

  it('calls on auto only when the user mentions the tool, never on none', () => {
    expect(
      simulateToolCall({ ...base, tools: [weather] } as any),
    ).toBeUndefined();
    expect(
      simulateToolCall({
        ...base,
        messages: [
          { role: 'user', content: 'please use get_weather for Paris' },
        ],
        tools: [weather],
      } as any)?.name,
    ).toBe('get_weather');
    expect(
      simulateToolCall({
        ...base,
        tools: [weather],
        tool_choice: 'none',
      } as any),
    ).toBeUndefined();
    expect(simulateToolCall(base as any)).toBeUndefined();
  });

  it('is deterministic', () => {
    const req = { ...base, tools: [weather], tool_choice: 'required' } as any;
    expect(simulateToolCall(req)).toEqual(simulateToolCall(req));
  });
});
