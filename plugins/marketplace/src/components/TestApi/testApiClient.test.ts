import { runTest, TestApiError } from './testApiClient';

function sseResponse(events: string[], headers: Record<string, string> = {}) {
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    start(controller) {
      // split mid-event to check buffering across chunks
      const all = events.map(e => `data: ${e}\n\n`).join('');
      controller.enqueue(encoder.encode(all.slice(0, 17)));
      controller.enqueue(encoder.encode(all.slice(17)));
      controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream', ...headers },
  });
}

const request = {
  messages: [{ role: 'user' as const, content: 'hi' }],
  temperature: 0.5,
  max_tokens: 10,
  stream: true,
};

describe('runTest', () => {
  it('streams deltas and reads the usage chunk', async () => {
    const fetch = jest.fn(async () =>
      sseResponse(
        [
          JSON.stringify({
            choices: [{ delta: { role: 'assistant', content: '' } }],
          }),
          JSON.stringify({ choices: [{ delta: { content: 'Hello' } }] }),
          JSON.stringify({
            choices: [{ delta: { content: ' world' }, finish_reason: 'stop' }],
          }),
          JSON.stringify({
            choices: [],
            usage: { prompt_tokens: 5, completion_tokens: 2 },
          }),
          '[DONE]',
        ],
        { 'x-request-id': 'req_1' },
      ),
    );
    const seen: string[] = [];
    const out = await runTest(
      fetch as any,
      'http://x/api/marketplace',
      'svc one',
      request,
      t => seen.push(t),
    );
    expect(fetch).toHaveBeenCalledWith(
      'http://x/api/marketplace/v1/services/svc%20one/test',
      expect.objectContaining({ method: 'POST' }),
    );
    const sent = JSON.parse((fetch.mock.calls[0] as any)[1].body);
    expect(sent.stream_options).toEqual({ include_usage: true });
    expect(seen).toEqual(['Hello', 'Hello world']);
    expect(out).toMatchObject({
      requestId: 'req_1',
      text: 'Hello world',
      finishReason: 'stop',
      promptTokens: 5,
      completionTokens: 2,
    });
  });

  it('turns OpenAI-shaped errors into TestApiError with the code', async () => {
    const fetch = jest.fn(
      async () =>
        new Response(
          JSON.stringify({
            error: { message: 'Subscribe first', code: 'not_subscribed' },
          }),
          { status: 403 },
        ),
    );
    const error = await runTest(
      fetch as any,
      'http://x',
      'svc',
      request,
      () => {},
    ).catch(e => e);
    expect(error).toBeInstanceOf(TestApiError);
    expect(error).toMatchObject({
      message: 'Subscribe first',
      status: 403,
      code: 'not_subscribed',
    });
  });

  it('reads a non-streamed answer', async () => {
    const fetch = jest.fn(
      async () =>
        new Response(
          JSON.stringify({
            choices: [{ message: { content: 'Hi!' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 3, completion_tokens: 1 },
          }),
          { status: 200, headers: { 'x-request-id': 'req_2' } },
        ),
    );
    const out = await runTest(
      fetch as any,
      'http://x',
      'svc',
      { ...request, stream: false },
      () => {},
    );
    expect(out).toMatchObject({
      requestId: 'req_2',
      text: 'Hi!',
      promptTokens: 3,
      completionTokens: 1,
    });
  });
});
