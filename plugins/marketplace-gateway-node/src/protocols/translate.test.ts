import { anthropicToChat, chatToAnthropic } from './anthropicRequest';
import { AnthropicStreamEncoder } from './anthropicStream';
import { ChatStreamDecoder, parseSseEvent } from './canonical';
import { openaiResponsesAdapter } from './openaiResponses';
import { ResponsesStreamEncoder } from './responsesStream';
import {
  chatToResponses,
  responsesAnswerOf,
  ResponsesStreamDecoder,
} from './responsesUpstream';
import { TranslatableCall, translatedAdapter } from './translate';
import { responsesUpstream } from './upstreamCodecs';
import { anthropicMessagesAdapter } from './anthropicMessages';
import { openaiChatAdapter } from './openaiChat';
import { GatewayError } from '../errors';

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
      for (const part of decoder.decode(parseSseEvent(raw).data)) {
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

  it('translates Chat to a Responses upstream: instructions, items, function calls and outputs, tools', () => {
    const body = chatToResponses(
      {
        model: 'm',
        stream: true,
        temperature: 0.5,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: {
                  name: 'get_weather',
                  arguments: '{"city":"Paris"}',
                },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '21 C' },
        ],
        tools: [
          {
            type: 'function',
            function: { name: 'get_weather', parameters: { type: 'object' } },
          },
        ],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      },
      'upstream-m',
      40,
    );
    expect(body).toEqual({
      model: 'upstream-m',
      store: false,
      stream: true,
      temperature: 0.5,
      instructions: 'Be brief.',
      max_output_tokens: 40,
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          type: 'function_call',
          call_id: 'call_1',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
        },
        { type: 'function_call_output', call_id: 'call_1', output: '21 C' },
      ],
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          parameters: { type: 'object' },
        },
      ],
      tool_choice: { type: 'function', name: 'get_weather' },
    });
  });

  it('reads a Responses answer and stream (text, function calls, usage, incomplete)', () => {
    const answer = responsesAnswerOf({
      id: 'resp_1',
      model: 'up',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [
        {
          type: 'message',
          content: [
            { type: 'output_text', text: 'Hello ' },
            { type: 'output_text', text: 'there' },
          ],
        },
      ],
      usage: {
        input_tokens: 12,
        output_tokens: 3,
        input_tokens_details: { cached_tokens: 4 },
      },
    });
    expect(answer).toMatchObject({
      text: 'Hello there',
      finishReason: 'length',
      usage: { promptTokens: 12, completionTokens: 3, cachedPromptTokens: 4 },
    });
    expect(
      responsesAnswerOf({
        status: 'completed',
        output: [
          {
            type: 'function_call',
            call_id: 'call_9',
            name: 'f',
            arguments: '{}',
          },
        ],
      }),
    ).toMatchObject({
      toolCalls: [{ id: 'call_9', function: { name: 'f', arguments: '{}' } }],
      finishReason: 'tool_calls',
      usage: undefined,
    });

    const decoder = new ResponsesStreamDecoder();
    const ev = (data: object) => ({
      event: undefined,
      data: JSON.stringify(data),
    });
    const parts = [
      ev({
        type: 'response.created',
        sequence_number: 0,
        response: { id: 'resp_2', model: 'up' },
      }),
      ev({
        type: 'response.output_item.added',
        sequence_number: 1,
        output_index: 0,
        item: {
          id: 'fc_1',
          type: 'function_call',
          call_id: 'call_1',
          name: 'f',
          arguments: '',
        },
      }),
      ev({
        type: 'response.function_call_arguments.delta',
        sequence_number: 2,
        item_id: 'fc_1',
        delta: '{"a":',
      }),
      ev({
        type: 'response.function_call_arguments.delta',
        sequence_number: 3,
        item_id: 'fc_1',
        delta: '1}',
      }),
      ev({
        type: 'response.output_item.done',
        sequence_number: 4,
        output_index: 0,
        item: {},
      }),
      ev({
        type: 'response.completed',
        sequence_number: 5,
        response: {
          status: 'completed',
          usage: { input_tokens: 5, output_tokens: 2 },
        },
      }),
    ].flatMap(e => decoder.decode(e.data));
    expect(parts).toEqual([
      { type: 'start', id: 'resp_2', model: 'up' },
      { type: 'tool_start', index: 0, id: 'call_1', name: 'f' },
      { type: 'tool_args', index: 0, args: '{"a":' },
      { type: 'tool_args', index: 0, args: '1}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { promptTokens: 5, completionTokens: 2 } },
      { type: 'done' },
    ]);
    expect(decoder.responseId).toBe('resp_2');
    expect(decoder.sequence).toBe(5);
  });

  it('streams Messages from a Responses upstream, and a cut Responses stream ends with response.failed', () => {
    const adapter = translatedAdapter(
      anthropicMessagesAdapter,
      responsesUpstream,
    );
    const call = anthropicMessagesAdapter.parse({
      model: 'm',
      max_tokens: 20,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(
      JSON.parse(
        adapter.upstreamRequest(call, {
          upstreamModel: 'up',
          maxCompletionTokens: undefined,
        }).body,
      ),
    ).toMatchObject({
      model: 'up',
      input: [{ role: 'user', content: 'hi' }],
      max_output_tokens: 20,
      stream: true,
    });
    const meter = adapter.streamMeter(call);
    let out = '';
    for (const data of [
      { type: 'response.created', response: { id: 'resp_1' } },
      { type: 'response.output_text.delta', delta: 'Hel' },
      { type: 'response.output_text.delta', delta: 'lo' },
      {
        type: 'response.completed',
        response: {
          status: 'completed',
          usage: { input_tokens: 7, output_tokens: 2 },
        },
      },
    ]) {
      out +=
        meter.onEvent(`event: ${data.type}\ndata: ${JSON.stringify(data)}`) ??
        '';
    }
    out += meter.end?.() ?? '';
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
    expect(events[5].data.usage).toEqual({ input_tokens: 7, output_tokens: 2 });
    expect(meter.usage).toEqual({ promptTokens: 7, completionTokens: 2 });

    // Chat chunks translated to Responses, cut after some text.
    const responses = openaiResponsesAdapter.forUpstream!('openai-chat', 'm');
    const rcall = openaiResponsesAdapter.parse({
      model: 'm',
      input: 'hi',
      stream: true,
    });
    const rmeter = responses.streamMeter(rcall);
    let rout = rmeter.onEvent(
      `data: ${JSON.stringify({
        choices: [{ index: 0, delta: { content: 'Once' } }],
      })}`,
    )!;
    rout += rmeter.errorEvent(
      new GatewayError({
        status: 504,
        message: 'The upstream stopped sending.',
        code: 'upstream_timeout',
      }),
    );
    const revents = eventsOf(rout);
    const last = revents[revents.length - 1];
    expect(last.event).toBe('response.failed');
    expect(last.data.sequence_number).toBe(revents.length - 1);
    expect(last.data.response).toMatchObject({
      id: revents[0].data.response.id,
      status: 'failed',
      usage: null,
      error: {
        code: 'upstream_timeout',
        message: 'The upstream stopped sending.',
      },
      output: [
        { type: 'message', status: 'in_progress', content: [{ text: 'Once' }] },
      ],
    });

    // Passed through from a Responses upstream: nothing stored there, and the
    // upstream's id and numbering go on.
    const passed = openaiResponsesAdapter.forUpstream!('openai-responses', 'm');
    expect(
      JSON.parse(
        passed.upstreamRequest(
          openaiResponsesAdapter.parse({
            model: 'm',
            input: 'hi',
            store: true,
          }),
          { upstreamModel: 'up', maxCompletionTokens: 7 },
        ).body,
      ),
    ).toEqual({
      model: 'up',
      input: 'hi',
      store: false,
      max_output_tokens: 7,
    });
    const pmeter = passed.streamMeter(rcall);
    pmeter.onEvent(
      `event: response.created\ndata: ${JSON.stringify({
        type: 'response.created',
        sequence_number: 0,
        response: { id: 'resp_up' },
      })}`,
    );
    pmeter.onEvent(
      `event: response.output_item.added\ndata: ${JSON.stringify({
        type: 'response.output_item.added',
        sequence_number: 1,
        output_index: 0,
        item: { id: 'msg_up', type: 'message' },
      })}`,
    );
    pmeter.onEvent(
      `event: response.output_text.delta\ndata: ${JSON.stringify({
        type: 'response.output_text.delta',
        sequence_number: 2,
        item_id: 'msg_up',
        delta: 'Once',
      })}`,
    );
    const failed = eventsOf(
      pmeter.errorEvent(
        new GatewayError({
          status: 504,
          message: 'cut',
          code: 'upstream_timeout',
        }),
      ),
    );
    expect(failed).toHaveLength(1);
    expect(failed[0].data).toMatchObject({
      type: 'response.failed',
      sequence_number: 3,
      response: {
        id: 'resp_up',
        status: 'failed',
        output: [{ id: 'msg_up', content: [{ text: 'Once' }] }],
      },
    });
    expect(openaiChatAdapter.forUpstream!('openai-responses', 'm').id).toBe(
      'openai.chat->openai-responses',
    );
  });
});
