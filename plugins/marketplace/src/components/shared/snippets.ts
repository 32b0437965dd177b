/**
 * Code snippets for calling a subscribed service through the marketplace gateway
 * with a freshly issued key. Pure functions: the dialog and the tests use them.
 */

export type SnippetInput = {
  /** The gateway's OpenAI-compatible base URL (`endpoint.baseUrl`). */
  baseUrl: string;
  /**
   * The API key secret. Without one, the snippets read it from the
   * `OPENAI_API_KEY` environment variable (as the OpenAI SDKs do by default).
   */
  apiKey?: string;
  /** The `model` parameter (`endpoint.model`). */
  model: string;
};

export type SnippetLanguage = 'curl' | 'python' | 'javascript';

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Single-quotes a string for a POSIX shell. */
function shellSingleQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Double-quotes a string for a POSIX shell. */
function shellDoubleQuote(value: string): string {
  return `"${value.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** A string literal valid in both Python and JavaScript. */
function literal(value: string): string {
  return JSON.stringify(value);
}

export function curlSnippet(input: SnippetInput): string {
  const body = JSON.stringify({
    model: input.model,
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  return [
    `curl ${trimSlash(input.baseUrl)}/chat/completions \\`,
    input.apiKey
      ? `  -H ${shellDoubleQuote(`Authorization: Bearer ${input.apiKey}`)} \\`
      : `  -H "Authorization: Bearer $OPENAI_API_KEY" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d ${shellSingleQuote(body)}`,
  ].join('\n');
}

export function pythonSnippet(input: SnippetInput): string {
  const key = input.apiKey
    ? `\n    api_key=${literal(
        input.apiKey,
      )},  # or omit it and set OPENAI_API_KEY`
    : '';
  const note = input.apiKey
    ? ''
    : '# The client reads the API key from the OPENAI_API_KEY environment variable.\n';
  return `from openai import OpenAI

${note}client = OpenAI(
    base_url=${literal(trimSlash(input.baseUrl))},${key}
)

response = client.chat.completions.create(
    model=${literal(input.model)},
    messages=[{"role": "user", "content": "Hello!"}],
)
print(response.choices[0].message.content)
`;
}

export function javascriptSnippet(input: SnippetInput): string {
  const key = input.apiKey
    ? `\n  apiKey: ${literal(
        input.apiKey,
      )}, // or omit it and set OPENAI_API_KEY`
    : '';
  const note = input.apiKey
    ? ''
    : '// The client reads the API key from the OPENAI_API_KEY environment variable.\n';
  return `import OpenAI from 'openai';

${note}const client = new OpenAI({
  baseURL: ${literal(trimSlash(input.baseUrl))},${key}
});

const completion = await client.chat.completions.create({
  model: ${literal(input.model)},
  messages: [{ role: 'user', content: 'Hello!' }],
});
console.log(completion.choices[0].message.content);
`;
}

export const SNIPPETS: {
  id: SnippetLanguage;
  label: string;
  /** react-syntax-highlighter language */
  language: string;
  build: (input: SnippetInput) => string;
}[] = [
  { id: 'curl', label: 'curl', language: 'bash', build: curlSnippet },
  { id: 'python', label: 'Python', language: 'python', build: pythonSnippet },
  {
    id: 'javascript',
    label: 'JavaScript',
    language: 'javascript',
    build: javascriptSnippet,
  },
];

/** The APIs a service's snippets show, by the protocol of its upstream. */
export type SnippetApi =
  | 'chat'
  | 'responses'
  | 'messages'
  | 'embeddings'
  | 'agents';

export const SNIPPET_API_LABELS: Record<SnippetApi, string> = {
  chat: 'Chat Completions',
  responses: 'Responses',
  messages: 'Anthropic Messages',
  embeddings: 'Embeddings',
  agents: 'Coding agents',
};

/**
 * What the gateway serves for a service (`spec.endpoint.protocol`): every chat
 * service speaks Chat Completions, Responses and Anthropic Messages (passed
 * through or translated); an embedding service only Embeddings.
 */
export function snippetApisOf(upstreamProtocol?: string): SnippetApi[] {
  return upstreamProtocol === 'openai-embeddings'
    ? ['embeddings']
    : ['chat', 'responses', 'messages', 'agents'];
}

/** The gateway root without `/v1`: Anthropic's SDKs append `/v1/messages`. */
export function anthropicBaseUrl(baseUrl: string): string {
  return trimSlash(baseUrl).replace(/\/v1$/, '');
}

function curlFor(
  input: SnippetInput,
  path: string,
  body: object,
  headers: string[] = [],
  keyHeader?: string,
): string {
  const header = keyHeader ?? 'Authorization';
  const scheme = keyHeader ? '' : 'Bearer ';
  const variable = keyHeader ? '$ANTHROPIC_API_KEY' : '$OPENAI_API_KEY';
  const auth = input.apiKey
    ? `  -H ${shellDoubleQuote(`${header}: ${scheme}${input.apiKey}`)} \\`
    : `  -H "${header}: ${scheme}${variable}" \\`;
  return [
    `curl ${trimSlash(input.baseUrl)}${path} \\`,
    auth,
    ...headers.map(h => `  -H "${h}" \\`),
    `  -H "Content-Type: application/json" \\`,
    `  -d ${shellSingleQuote(JSON.stringify(body))}`,
  ].join('\n');
}

function openaiClient(input: SnippetInput, lang: 'python' | 'javascript') {
  if (lang === 'python') {
    const key = input.apiKey
      ? `\n    api_key=${literal(
          input.apiKey,
        )},  # or omit it and set OPENAI_API_KEY`
      : '';
    return `from openai import OpenAI

client = OpenAI(
    base_url=${literal(trimSlash(input.baseUrl))},${key}
)
`;
  }
  const key = input.apiKey
    ? `\n  apiKey: ${literal(
        input.apiKey,
      )}, // or omit it and set OPENAI_API_KEY`
    : '';
  return `import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: ${literal(trimSlash(input.baseUrl))},${key}
});
`;
}

export function responsesSnippets(input: SnippetInput) {
  return {
    curl: curlFor(input, '/responses', {
      model: input.model,
      input: 'Hello!',
    }),
    python: `${openaiClient(input, 'python')}
response = client.responses.create(
    model=${literal(input.model)},
    input="Hello!",
)
print(response.output_text)
`,
    javascript: `${openaiClient(input, 'javascript')}
const response = await client.responses.create({
  model: ${literal(input.model)},
  input: 'Hello!',
});
console.log(response.output_text);
`,
  };
}

export function messagesSnippets(input: SnippetInput) {
  const base = anthropicBaseUrl(input.baseUrl);
  const pyKey = input.apiKey
    ? `\n    api_key=${literal(
        input.apiKey,
      )},  # or omit it and set ANTHROPIC_API_KEY`
    : '';
  const jsKey = input.apiKey
    ? `\n  apiKey: ${literal(
        input.apiKey,
      )}, // or omit it and set ANTHROPIC_API_KEY`
    : '';
  return {
    curl: curlFor(
      input,
      '/messages',
      {
        model: input.model,
        max_tokens: 256,
        messages: [{ role: 'user', content: 'Hello!' }],
      },
      ['anthropic-version: 2023-06-01'],
      'x-api-key',
    ),
    python: `from anthropic import Anthropic

client = Anthropic(
    base_url=${literal(base)},${pyKey}
)

message = client.messages.create(
    model=${literal(input.model)},
    max_tokens=256,
    messages=[{"role": "user", "content": "Hello!"}],
)
print(message.content[0].text)
`,
    javascript: `import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({
  baseURL: ${literal(base)},${jsKey}
});

const message = await client.messages.create({
  model: ${literal(input.model)},
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello!' }],
});
console.log(message.content[0].text);
`,
  };
}

export function embeddingsSnippets(input: SnippetInput) {
  return {
    curl: curlFor(input, '/embeddings', {
      model: input.model,
      input: 'The text to embed',
    }),
    python: `${openaiClient(input, 'python')}
result = client.embeddings.create(
    model=${literal(input.model)},
    input=["The text to embed"],
)
print(len(result.data[0].embedding))
`,
    javascript: `${openaiClient(input, 'javascript')}
const result = await client.embeddings.create({
  model: ${literal(input.model)},
  input: ['The text to embed'],
});
console.log(result.data[0].embedding.length);
`,
  };
}

/** Environment for coding agents: Anthropic-style and OpenAI-compatible ones. */
export function agentSettings(input: SnippetInput): string {
  const key = input.apiKey ?? 'mk_...';
  return `# Anthropic-compatible agents (Claude Code style)
export ANTHROPIC_BASE_URL=${shellDoubleQuote(anthropicBaseUrl(input.baseUrl))}
export ANTHROPIC_API_KEY=${shellDoubleQuote(key)}
export ANTHROPIC_MODEL=${shellDoubleQuote(input.model)}

# OpenAI-compatible agents (Codex style, the Vercel AI SDK, LangChain)
export OPENAI_BASE_URL=${shellDoubleQuote(trimSlash(input.baseUrl))}
export OPENAI_API_KEY=${shellDoubleQuote(key)}
export OPENAI_MODEL=${shellDoubleQuote(input.model)}
`;
}

/** The snippets of one API, in the same language tabs. */
export function snippetsOf(api: SnippetApi): typeof SNIPPETS {
  if (api === 'chat') {
    return SNIPPETS;
  }
  if (api === 'agents') {
    return [
      {
        id: 'curl',
        label: 'Environment',
        language: 'bash',
        build: agentSettings,
      },
    ];
  }
  const builders = {
    responses: responsesSnippets,
    messages: messagesSnippets,
    embeddings: embeddingsSnippets,
  };
  const build = builders[api];
  return [
    { id: 'curl', label: 'curl', language: 'bash', build: i => build(i).curl },
    {
      id: 'python',
      label: 'Python',
      language: 'python',
      build: i => build(i).python,
    },
    {
      id: 'javascript',
      label: 'JavaScript',
      language: 'javascript',
      build: i => build(i).javascript,
    },
  ];
}
