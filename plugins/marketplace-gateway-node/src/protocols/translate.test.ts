import {
  anthropicToChat,
  AnthropicStreamEncoder,
  chatToAnthropic,
} from './anthropic';
import { ChatStreamDecoder, parseSseEvent } from './canonical';
import {
  openaiResponsesAdapter,
  ResponsesStreamEncoder,
} from './openaiResponses';
import { TranslatableCall } from './translate';

function eventsOf(text: string) {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map(e => {
      const { event, data } = parseSseEvent(e);
      return { event, data: JSON.parse(data) };
    });
}

describe('protocol translation', () => {
  it('translates Messages with system, tools, tool use and results to Chat and back', () => {
    const chat = anthropicToChat({
      model: 'm',
      max_tokens: 50,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            {
              type: 'tool_use',
              id: 'toolu_1',
              name: 'get_weather',
              input: { city: 'Paris' },
            },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '21 C' },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any' },
    } as any);
    expect(chat.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'toolu_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '21 C' },
      { role: 'user', content: 'And tomorrow?' },
    ]);
    expect(chat.tool_choice).toBe('required');

    // And back: the same conversation in Anthropic's form, alternating roles.
    const back: any = chatToAnthropic(chat, 'upstream', 50);
    expect(back.system).toBe('Be brief.');
    expect(back.messages.map((m: any) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
    ]);
    expect(back.messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_1', content: '21 C' },
      { type: 'text', text: 'And tomorrow?' },
    ]);
    expect(back.tool_choice).toEqual({ type: 'any' });
  });

  it('streams a Chat answer as Anthropic events with usage and the stop reason', () => {
    const decoder = new ChatStreamDecoder();
    const encoder = new AnthropicStreamEncoder('m', 12);
    let out = '';
    for (const raw of [
      'data: {"id":"c","model":"m","choices":[{"delta":{"role":"assistant","content":""}}]}',
      'data: {"choices":[{"delta":{"content":"Hel"}}]}',
      'data: {"choices":[{"delta":{"content":"lo"}}]}',
      'data: {"choices":[{"delta":{},"finish_reason":"length"}]}',
      'data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2}}',
      'data: [DONE]',
    ]) {
      for (const part of decoder.decode(parseSseEvent(raw))) {
        out += encoder.encode(part);
      }
    }
    const events = eventsOf(out);
    expect(events.map(e => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[5].data).toMatchObject({
      delta: { stop_reason: 'max_tokens' },
      usage: { input_tokens: 12, output_tokens: 2 },
    });
  });

  it('streams Responses events in order, with the text and usage on response.completed', () => {
    const call = openaiResponsesAdapter.parse({
      model: 'm',
      input: 'Hi',
    }) as TranslatableCall;
    const encoder = new ResponsesStreamEncoder(call);
    const out =
      encoder.encode({ type: 'start' }) +
      encoder.encode({ type: 'text', text: 'Hel' }) +
      encoder.encode({ type: 'text', text: 'lo' }) +
      encoder.encode({ type: 'finish', reason: 'stop' }) +
      encoder.encode({
        type: 'usage',
        usage: { promptTokens: 5, completionTokens: 2 },
      }) +
      encoder.encode({ type: 'done' });
    const events = eventsOf(out);
    expect(events.map(e => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    // Sequence numbers count up from 0 without gaps.
    expect(events.map(e => e.data.sequence_number)).toEqual(
      events.map((_, i) => i),
    );
    const completed = events[events.length - 1].data.response;
    expect(completed.output[0].content[0].text).toBe('Hello');
    expect(completed.usage).toMatchObject({
      input_tokens: 5,
      output_tokens: 2,
      total_tokens: 7,
    });
  });

  it('refuses what it cannot serve, naming the field', () => {
    expect(() =>
      openaiResponsesAdapter.parse({
        model: 'm',
        input: 'x',
        previous_response_id: 'resp_1',
      }),
    ).toThrow(/previous_response_id/);
    expect(() =>
      openaiResponsesAdapter.parse({
        model: 'm',
        input: 'x',
        tools: [{ type: 'web_search' }],
      }),
    ).toThrow(/tools\[0\]\.type/);
  });
});
