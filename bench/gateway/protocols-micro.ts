/*
 * Micro-benchmark of the gateway's protocol work per request, without HTTP,
 * database or upstream: parse and count the client's request, build the
 * upstream request, and meter (and translate) a streamed answer of 120 chunks
 * plus a whole JSON answer. Measured in one run, interleaved, as CPU time:
 *
 * - baseline: OpenAI Chat Completions passed through to a chat upstream;
 * - OpenAI Responses translated to a chat upstream;
 * - Anthropic Messages translated to a chat upstream;
 * - Anthropic Messages passed through to an Anthropic upstream.
 *
 * Prints each as a ratio to the baseline (target: <= 1.15x). These are only the
 * protocol steps: a whole gateway request also authenticates, reserves, settles
 * and relays over HTTP (see `yarn bench:gateway`), so the share of translation
 * in a whole request is smaller than these ratios. Run by hand:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     bench/gateway/protocols-micro.ts [requests=2000] [rounds=5]
 */
import {
  anthropicMessagesAdapter,
  openaiChatAdapter,
  openaiResponsesAdapter,
  ProtocolAdapter,
} from '@internal/plugin-marketplace-gateway-node';

const requests = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 5);

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

interface Scenario {
  name: string;
  adapter: ProtocolAdapter;
  body: (stream: boolean) => object;
  stream: string[];
  answer: Buffer;
}

const scenarios: Scenario[] = [
  {
    name: 'chat -> chat (pass-through, baseline)',
    adapter: openaiChatAdapter.forUpstream!('openai-chat', 'bench'),
    body: stream => ({
      model: 'bench',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: PROMPT },
      ],
      max_tokens: 200,
      stream,
    }),
    stream: chatStream(),
    answer: chatAnswer,
  },
  {
    name: 'responses -> chat (translated)',
    adapter: openaiResponsesAdapter.forUpstream!('openai-chat', 'bench'),
    body: stream => ({
      model: 'bench',
      instructions: SYSTEM,
      input: PROMPT,
      max_output_tokens: 200,
      stream,
    }),
    stream: chatStream(),
    answer: chatAnswer,
  },
  {
    name: 'messages -> chat (translated)',
    adapter: anthropicMessagesAdapter.forUpstream!('openai-chat', 'bench'),
    body: stream => ({
      model: 'bench',
      system: SYSTEM,
      messages: [{ role: 'user', content: PROMPT }],
      max_tokens: 200,
      stream,
    }),
    stream: chatStream(),
    answer: chatAnswer,
  },
  {
    name: 'messages -> anthropic (pass-through)',
    adapter: anthropicMessagesAdapter.forUpstream!(
      'anthropic-messages',
      'bench',
    ),
    body: stream => ({
      model: 'bench',
      system: SYSTEM,
      messages: [{ role: 'user', content: PROMPT }],
      max_tokens: 200,
      stream,
    }),
    stream: anthropicStream(),
    answer: anthropicAnswer,
  },
];

let sink = 0;

/** One streamed and one whole request through a scenario's protocol steps. */
function once(s: Scenario) {
  const streamed = s.adapter.parse(s.body(true));
  sink += s.adapter.upstreamRequest(streamed, {
    upstreamModel: 'upstream-bench',
    maxCompletionTokens: undefined,
    defaultMaxTokens: 200,
  }).body.length;
  const meter = s.adapter.streamMeter(streamed);
  for (const event of s.stream) {
    sink += meter.onEvent(event)?.length ?? 0;
  }
  sink += meter.end?.()?.length ?? 0;
  const whole = s.adapter.parse(s.body(false));
  sink += s.adapter.upstreamRequest(whole, {
    upstreamModel: 'upstream-bench',
    maxCompletionTokens: undefined,
    defaultMaxTokens: 200,
  }).body.length;
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

// Warm up every scenario, then measure them interleaved; the median round counts.
for (const s of scenarios) {
  for (let i = 0; i < 200; i++) once(s);
}
const samples = scenarios.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) {
  scenarios.forEach((s, i) => samples[i].push(cpuMicros(s)));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const perRequest = samples.map(xs => median(xs) / requests);
const baseline = perRequest[0];
console.log(
  `Protocol steps per request (parse + upstream request + a 120-chunk stream + a JSON answer), ${requests} requests x ${rounds} rounds, median round:`,
);
for (const [i, s] of scenarios.entries()) {
  const ratio = perRequest[i] / baseline;
  console.log(
    `  ${s.name.padEnd(40)} ${perRequest[i]
      .toFixed(1)
      .padStart(8)} µs CPU  ${ratio.toFixed(2).padStart(5)}x  ${
      i === 0 ? '' : ratio <= 1.15 ? 'PASS' : 'FAIL'
    } (target <= 1.15x)`,
  );
}
if (sink < 0) console.log(sink);
