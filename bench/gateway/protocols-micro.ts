/*
 * Micro-benchmark of the gateway's protocol work per request, without HTTP,
 * database or upstream: parse and count the client's request, build the
 * upstream request, and meter (and translate) a streamed answer of 120 chunks
 * plus a whole JSON answer. Measured in one run, interleaved, as CPU time:
 *
 * for each upstream protocol (OpenAI Chat Completions, Anthropic Messages,
 * OpenAI Responses), its own protocol passed through (the baseline) and the
 * two other client protocols translated to it, reading the same upstream
 * answer and stream.
 *
 * Prints each translation as a ratio to its pass-through (target: <= 1.15x),
 * measured in the same run, in short interleaved batches. These are only the
 * protocol steps: a whole gateway request also authenticates, reserves, settles
 * and relays over HTTP (see `yarn bench:gateway`), so the share of translation
 * in a whole request is smaller than these ratios. Run by hand:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     bench/gateway/protocols-micro.ts [requests per batch=200] [rounds=31]
 */
import {
  anthropicMessagesAdapter,
  openaiChatAdapter,
  openaiResponsesAdapter,
  ProtocolAdapter,
} from '@internal/plugin-marketplace-gateway-node';

const requests = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 31);

const SYSTEM = 'You are a concise assistant for the checkout team.';
const PROMPT =
  'Summarise the incident: the payment service timed out for 4 minutes after a deploy, retries doubled the load, and the circuit breaker opened late.';
const WORDS =
  'the quick brown fox jumps over a lazy dog while payments retry'.split(' ');

function chatStream(): string[] {
  const events: string[] = [];
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'bench',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    })}`;
  events.push(chunk({ role: 'assistant', content: '' }, null));
  for (let i = 0; i < 120; i++) {
    events.push(chunk({ content: `${WORDS[i % WORDS.length]} ` }, null));
  }
  events.push(chunk({}, 'stop'));
  events.push(
    `data: ${JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'bench',
      choices: [],
      usage: { prompt_tokens: 60, completion_tokens: 120, total_tokens: 180 },
    })}`,
  );
  events.push('data: [DONE]');
  return events;
}

function anthropicStream(): string[] {
  const event = (name: string, data: object) =>
    `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}`;
  const events = [
    event('message_start', {
      message: {
        id: 'msg_bench',
        type: 'message',
        role: 'assistant',
        model: 'bench',
        content: [],
        usage: { input_tokens: 60, output_tokens: 1 },
      },
    }),
    event('content_block_start', {
      index: 0,
      content_block: { type: 'text', text: '' },
    }),
  ];
  for (let i = 0; i < 120; i++) {
    events.push(
      event('content_block_delta', {
        index: 0,
        delta: { type: 'text_delta', text: `${WORDS[i % WORDS.length]} ` },
      }),
    );
  }
  events.push(event('content_block_stop', { index: 0 }));
  events.push(
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 120 },
    }),
  );
  events.push(event('message_stop', {}));
  return events;
}

const text = WORDS.join(' ').repeat(10);
const chatAnswer = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1,
    model: 'bench',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 60, completion_tokens: 120, total_tokens: 180 },
  }),
);
const anthropicAnswer = Buffer.from(
  JSON.stringify({
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model: 'bench',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    usage: { input_tokens: 60, output_tokens: 120 },
  }),
);

function responsesStream(): string[] {
  let n = 0;
  const event = (type: string, data: object) =>
    `event: ${type}\ndata: ${JSON.stringify({
      type,
      sequence_number: n++,
      ...data,
    })}`;
  const response = (status: string, output: unknown[], usage: unknown) => ({
    id: 'resp_bench',
    object: 'response',
    created_at: 1,
    status,
    model: 'bench',
    output,
    usage,
  });
  const item = {
    id: 'msg_bench',
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text: WORDS.join(' '), annotations: [] }],
  };
  const events = [
    event('response.created', { response: response('in_progress', [], null) }),
    event('response.in_progress', {
      response: response('in_progress', [], null),
    }),
    event('response.output_item.added', {
      output_index: 0,
      item: { ...item, status: 'in_progress', content: [] },
    }),
    event('response.content_part.added', {
      item_id: 'msg_bench',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
  ];
  for (let i = 0; i < 120; i++) {
    events.push(
      event('response.output_text.delta', {
        item_id: 'msg_bench',
        output_index: 0,
        content_index: 0,
        delta: `${WORDS[i % WORDS.length]} `,
        logprobs: [],
      }),
    );
  }
  events.push(
    event('response.output_item.done', { output_index: 0, item }),
    event('response.completed', {
      response: response('completed', [item], {
        input_tokens: 60,
        output_tokens: 120,
        total_tokens: 180,
      }),
    }),
  );
  return events;
}

const responsesAnswer = Buffer.from(
  JSON.stringify({
    id: 'resp_bench',
    object: 'response',
    created_at: 1,
    status: 'completed',
    model: 'bench',
    output: [
      {
        id: 'msg_bench',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [] }],
      },
    ],
    usage: { input_tokens: 60, output_tokens: 120, total_tokens: 180 },
  }),
);

interface Scenario {
  name: string;
  adapter: ProtocolAdapter;
  body: (stream: boolean) => object;
  stream: string[];
  answer: Buffer;
  /** The pass-through this translation is compared with (none: it is a baseline). */
  baseline?: Scenario;
}

const CLIENTS = {
  chat: {
    adapter: openaiChatAdapter,
    body: (stream: boolean) => ({
      model: 'bench',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: PROMPT },
      ],
      max_tokens: 200,
      stream,
    }),
  },
  responses: {
    adapter: openaiResponsesAdapter,
    body: (stream: boolean) => ({
      model: 'bench',
      instructions: SYSTEM,
      input: PROMPT,
      max_output_tokens: 200,
      stream,
    }),
  },
  messages: {
    adapter: anthropicMessagesAdapter,
    body: (stream: boolean) => ({
      model: 'bench',
      system: SYSTEM,
      messages: [{ role: 'user', content: PROMPT }],
      max_tokens: 200,
      stream,
    }),
  },
};

const UPSTREAMS = {
  chat: { protocol: 'openai-chat', stream: chatStream(), answer: chatAnswer },
  anthropic: {
    protocol: 'anthropic-messages',
    stream: anthropicStream(),
    answer: anthropicAnswer,
  },
  responses: {
    protocol: 'openai-responses',
    stream: responsesStream(),
    answer: responsesAnswer,
  },
} as const;

/**
 * For each upstream protocol: its pass-through (the baseline) and the other
 * client protocols translated to it, reading the same upstream bytes.
 */
const scenarios: Scenario[] = (
  [
    ['chat', 'chat', ['responses', 'messages']],
    ['anthropic', 'messages', ['chat', 'responses']],
    ['responses', 'responses', ['chat', 'messages']],
  ] as const
).flatMap(([upstreamName, native, translated]) => {
  const upstream = UPSTREAMS[upstreamName];
  const scenario = (
    client: keyof typeof CLIENTS,
    baseline?: Scenario,
  ): Scenario => ({
    name: `${client} -> ${upstreamName} (${
      baseline ? 'translated' : 'pass-through'
    })`,
    adapter: CLIENTS[client].adapter.forUpstream!(upstream.protocol, 'bench'),
    body: CLIENTS[client].body,
    stream: [...upstream.stream],
    answer: upstream.answer,
    baseline,
  });
  const base = scenario(native);
  return [base, ...translated.map(client => scenario(client, base))];
});

let sink = 0;

const upstreamTarget = {
  upstreamModel: 'upstream-bench',
  maxCompletionTokens: undefined,
  defaultMaxTokens: 200,
};

/** One streamed and one whole request through a scenario's protocol steps. */
function once(s: Scenario) {
  const streamed = s.adapter.parse(s.body(true));
  sink += s.adapter.upstreamRequest(streamed, upstreamTarget).body.length;
  const meter = s.adapter.streamMeter(streamed);
  for (const event of s.stream) {
    sink += meter.onEvent(event)?.length ?? 0;
  }
  sink += meter.end?.()?.length ?? 0;
  const whole = s.adapter.parse(s.body(false));
  sink += s.adapter.upstreamRequest(whole, upstreamTarget).body.length;
  sink += s.adapter.readAnswer(s.answer, whole).body.length;
}

function cpuMicros(s: Scenario): number {
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    once(s);
  }
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

// Warm up every scenario, then measure them interleaved in short batches (so
// that a busy neighbour on the machine weighs on every scenario alike); the
// median batch counts.
for (const s of scenarios) {
  for (let i = 0; i < 200; i++) once(s);
}
const samples = scenarios.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) {
  // Each round in another order: no scenario always runs after the same one.
  const order = scenarios.map((_, i) => (i + r) % scenarios.length);
  for (const i of order) {
    samples[i].push(cpuMicros(scenarios[i]));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const perRequest = samples.map(xs => median(xs) / requests);
console.log(
  `Protocol steps per request (parse + upstream request + a 120-chunk stream + a JSON answer), ${rounds} rounds of ${requests} requests per scenario, interleaved, median round:`,
);
for (const [i, s] of scenarios.entries()) {
  const base = perRequest[scenarios.indexOf(s.baseline ?? s)];
  const ratio = perRequest[i] / base;
  console.log(
    `  ${s.name.padEnd(44)} ${perRequest[i]
      .toFixed(1)
      .padStart(8)} µs CPU  ${ratio.toFixed(2).padStart(5)}x  ${
      s.baseline
        ? `${ratio <= 1.15 ? 'PASS' : 'FAIL'} (target <= 1.15x of ${
            s.baseline.name
          })`
        : 'baseline'
    }`,
  );
}
if (sink < 0) console.log(sink);
