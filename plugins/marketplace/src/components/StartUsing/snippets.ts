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
