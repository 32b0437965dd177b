import { AnthropicStreamDecoder } from './anthropicStream';
import { ChatStreamDecoder } from './canonical';
import { ResponsesStreamDecoder } from './responsesUpstream';
import { ChunkWriter, sseData, textBetween, TypedEventWriter } from './sse';

describe('server-sent events', () => {
  it('reads the data of one-line, named and multi-line events', () => {
    expect(sseData('data: {"a":1}')).toBe('{"a":1}');
    expect(sseData('data:{"a":1}')).toBe('{"a":1}');
    expect(sseData('event: message_stop\ndata: {"type":"message_stop"}')).toBe(
      '{"type":"message_stop"}',
    );
    expect(sseData('event:x\ndata:{}')).toBe('{}');
    expect(sseData(': comment\nevent: x\ndata: a\ndata: b')).toBe('a\nb');
    expect(sseData('event: ping')).toBe('');
  });

  it('reads the text between a prefix and a suffix only when it is one JSON string', () => {
    const p = '{"t":';
    expect(textBetween('{"t":"plain"}', p, 0, '}')).toBe('plain');
    expect(textBetween('{"t":"say \\"hi\\"\\n"}', p, 0, '}')).toBe(
      'say "hi"\n',
    );
    expect(textBetween('{"t":"\\u00e9"}', p, 0, '}')).toBe('é');
    // Any other shape: undefined (the caller parses the whole object).
    expect(textBetween('{"t":"a","u":"b"}', p, 0, '}')).toBeUndefined();
    expect(textBetween('{"t":"a\\"}', p, 0, '}')).toBeUndefined();
    expect(textBetween('{"t":12}', p, 0, '}')).toBeUndefined();
    expect(textBetween('{"t":""}', p, 0, '}')).toBe('');
    expect(textBetween('{"x":"a"}', p, 0, '}')).toBeUndefined();
  });

  it('reads text deltas on the hot path exactly as the full parse does, and refuses other shapes', () => {
    const chat = (delta: object, extra = '') =>
      `{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":${JSON.stringify(
        delta,
      )},"logprobs":null,"finish_reason":null}]${extra}}`;
    const chatDecoder = new ChatStreamDecoder();
    // The first chunk starts the answer: never the hot path.
    expect(chatDecoder.text(chat({ content: 'a' }))).toBeUndefined();
    chatDecoder.decode(chat({ content: 'a' }));
    for (const text of ['the ', 'quote " and \\ and \n', 'é ☃', '']) {
      expect(chatDecoder.text(chat({ content: text }))).toBe(text);
      expect(chatDecoder.text(chat({ content: text }, ',"usage":null'))).toBe(
        text,
      );
    }
    // Usage, tool calls, a finish reason or more fields: the full parse.
    expect(
      chatDecoder.text(
        chat(
          { content: 'x' },
          ',"usage":{"prompt_tokens":1,"completion_tokens":1}',
        ),
      ),
    ).toBeUndefined();
    expect(
      chatDecoder.text(
        '{"usage":{"prompt_tokens":9},"choices":[{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":null}]}',
      ),
    ).toBeUndefined();
    expect(
      chatDecoder.text(chat({ content: 'x', tool_calls: [] })),
    ).toBeUndefined();
    expect(
      chatDecoder.text(
        '{"choices":[{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":"stop"}]}',
      ),
    ).toBeUndefined();

    const anthropic = new AnthropicStreamDecoder();
    const delta = (text: string, index = 0) =>
      JSON.stringify({
        type: 'content_block_delta',
        index,
        delta: { type: 'text_delta', text },
      });
    for (const text of ['Hel', 'a "quoted" \\ word', '']) {
      expect(anthropic.text(delta(text, 3))).toBe(text);
      expect(anthropic.decode(delta(text, 3))).toEqual(
        text ? [{ type: 'text', text }] : [],
      );
    }
    expect(
      anthropic.text(
        '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}',
      ),
    ).toBeUndefined();
    expect(
      anthropic.text(
        '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","x":1}}',
      ),
    ).toBeUndefined();

    const responses = new ResponsesStreamDecoder();
    const rdelta = (text: string, n: number, tail = ',"logprobs":[]') =>
      `{"type":"response.output_text.delta","sequence_number":${n},"item_id":"msg_1","output_index":0,"content_index":0,"delta":${JSON.stringify(
        text,
      )}${tail}}`;
    expect(responses.text(rdelta('one', 7))).toBe('one');
    expect(responses.sequence).toBe(7);
    expect(responses.text(rdelta('two "2"', 12, ''))).toBe('two "2"');
    expect(responses.sequence).toBe(12);
    expect(
      responses.text(rdelta('x', 13, ',"obfuscation":"abc"')),
    ).toBeUndefined();
    expect(responses.sequence).toBe(12);
    expect(responses.decode(rdelta('x', 13, ',"obfuscation":"abc"'))).toEqual([
      { type: 'text', text: 'x' },
    ]);
    expect(responses.sequence).toBe(13);
  });

  it('writes typed events and chunks that parse to what the protocols define', () => {
    const numbered = new TypedEventWriter(true);
    const first = numbered.event('response.created', { response: {} });
    const second = numbered.textEvent(
      'response.output_text.delta',
      '"item_id":"msg_1","output_index":0,"content_index":0,',
      'delta',
      'a "b"\n',
      ',"logprobs":[]',
    );
    expect(first.startsWith('event: response.created\ndata: ')).toBe(true);
    expect(JSON.parse(sseData(second.trimEnd()))).toEqual({
      type: 'response.output_text.delta',
      sequence_number: 1,
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'a "b"\n',
      logprobs: [],
    });
    const plain = new TypedEventWriter(false);
    expect(
      JSON.parse(
        sseData(
          plain
            .textEvent(
              'content_block_delta',
              '"index":2,"delta":{"type":"text_delta",',
              'text',
              'x',
              '}',
            )
            .trimEnd(),
        ),
      ),
    ).toEqual({
      type: 'content_block_delta',
      index: 2,
      delta: { type: 'text_delta', text: 'x' },
    });

    const chunks = new ChunkWriter('chat.completion.chunk', {
      id: 'chatcmpl-1',
      created: 5,
      model: 'm "1"',
    });
    const envelope = {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 5,
      model: 'm "1"',
    };
    expect(
      JSON.parse(
        sseData(
          chunks
            .textChunk(
              '"index":0,"delta":{',
              'content',
              'hi',
              '},"logprobs":null,"finish_reason":null',
            )
            .trimEnd(),
        ),
      ),
    ).toEqual({
      ...envelope,
      choices: [
        {
          index: 0,
          delta: { content: 'hi' },
          logprobs: null,
          finish_reason: null,
        },
      ],
    });
    const [usage, done] = chunks
      .close({ promptTokens: 3, completionTokens: 4 })
      .split('\n\n');
    expect(JSON.parse(sseData(usage))).toEqual({
      ...envelope,
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
    expect(done).toBe('data: [DONE]');
  });
});
