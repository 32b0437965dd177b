import { countPromptTokens, countTextTokens } from './tokens';

describe('countPromptTokens', () => {
  const messages = [{ role: 'user', content: 'Extract the invoice fields.' }];
  const plain = countPromptTokens({ messages });
  const schema = {
    type: 'json_schema',
    json_schema: {
      name: 'invoice',
      schema: {
        type: 'object',
        properties: Object.fromEntries(
          Array.from({ length: 40 }, (_, i) => [
            `field_${i}`,
            { type: 'string', description: `The value of line item ${i}` },
          ]),
        ),
      },
    },
  };

  it('counts a response_format schema', () => {
    expect(countPromptTokens({ messages, response_format: schema })).toBe(
      plain + countTextTokens(JSON.stringify(schema)),
    );
  });

  it('counts tools, tool choice, legacy functions and function_call', () => {
    const tools = [
      {
        type: 'function',
        function: { name: 'lookup', parameters: schema.json_schema.schema },
      },
    ];
    const functions = [{ name: 'old', parameters: { type: 'object' } }];
    const counted = countPromptTokens({
      messages,
      tools,
      tool_choice: 'required',
      functions,
      function_call: { name: 'old' },
    });
    expect(counted).toBe(
      plain +
        countTextTokens(JSON.stringify(tools)) +
        countTextTokens(JSON.stringify('required')) +
        countTextTokens(JSON.stringify(functions)) +
        countTextTokens(JSON.stringify({ name: 'old' })),
    );
  });

  it('counts non-text parts and the tool calls of earlier turns', () => {
    const audio = {
      type: 'input_audio',
      input_audio: { data: 'UklGRiQAAABXQVZFZm10IBAAAAABAAEA', format: 'wav' },
    };
    const withAudio = countPromptTokens({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Extract the invoice fields.' },
            audio,
          ],
        },
      ],
    });
    expect(withAudio).toBeGreaterThan(plain);
    const toolCall = {
      id: 'call_1',
      type: 'function',
      function: { name: 'lookup', arguments: '{"field_1":"a long argument"}' },
    };
    const withCalls = countPromptTokens({
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [toolCall] } as any,
        { role: 'tool', content: 'ok', tool_call_id: 'call_1' } as any,
      ],
    });
    const withoutCalls = countPromptTokens({
      messages: [
        ...messages,
        { role: 'assistant', content: null },
        { role: 'tool', content: 'ok' },
      ],
    });
    expect(withCalls).toBe(
      withoutCalls +
        countTextTokens(JSON.stringify({ tool_calls: [toolCall] })) +
        countTextTokens(JSON.stringify({ tool_call_id: 'call_1' })),
    );
  });
});
