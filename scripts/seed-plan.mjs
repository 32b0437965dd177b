// The seed's plan (scripts/seed.mjs): who uses which sample service, how much, and
// with which prompts. scripts/check-demo-data.mjs checks the first start against it.

/**
 * Who uses what, and how much (requests per run). Services come from
 * examples/services.yaml, users and teams from examples/org.yaml. Provider engineers
 * use (and review) services of the other provider team: nobody reviews their own.
 */
export const PLAN = [
  // Lena: the Checkout team's heaviest user.
  {
    user: 'lena.fischer',
    service: 'acme-claude-sonnet-4',
    team: 'group:default/checkout-team',
    requests: 16,
    stream: 'mixed',
    review: {
      rating: 5,
      title: 'Great for summarising incident logs',
      text: 'Streaming starts quickly and the summaries are accurate. We use it in the on-call bot.',
    },
    reply: {
      by: 'samira.haddad',
      text: 'Thanks Lena! The on-call bot is a great use case; tell us if you need a higher rate limit.',
    },
  },
  {
    user: 'lena.fischer',
    service: 'northwind-gpt-4o-mini',
    requests: 20,
    review: {
      rating: 4,
      title: 'Cheap and good enough for tests',
      text: 'Fine for generating test data; occasionally slow in the afternoon.',
    },
  },
  {
    user: 'lena.fischer',
    service: 'northwind-gpt-4o',
    requests: 10,
    stream: 'mixed',
    // Through the OpenAI Responses API (translated to the chat upstream).
    protocol: 'responses',
  },
  // Embeddings for the Checkout team's product search.
  {
    user: 'lena.fischer',
    service: 'acme-text-embedding-3-small',
    requests: 12,
    protocol: 'embeddings',
  },
  { user: 'lena.fischer', service: 'helvetia-codestral', requests: 8 },
  // Kenji: Checkout team, billed to the team for the production assistant.
  {
    user: 'kenji.nakamura',
    service: 'acme-gpt-4-1',
    team: 'group:default/checkout-team',
    requests: 10,
    review: {
      rating: 3,
      title: 'Strong model, pricey for bulk jobs',
      text: '',
    },
  },
  {
    user: 'kenji.nakamura',
    service: 'acme-gpt-4o-mini-checkout-ft',
    team: 'group:default/checkout-team',
    requests: 12,
    review: {
      rating: 5,
      title: 'Knows our checkout domain',
      text: 'Answers with our own error codes and runbook names. Much better than the base model for support macros.',
    },
  },
  {
    user: 'kenji.nakamura',
    service: 'research-llama-3-3-70b',
    requests: 12,
    stream: 'mixed',
    review: {
      rating: 4,
      title: 'Solid open model',
      text: 'Good quality for the price. Streaming works with the OpenAI SDK unchanged.',
    },
    reply: {
      by: 'wei.chen',
      text: 'Thanks! We are adding a second region next quarter.',
    },
  },
  { user: 'kenji.nakamura', service: 'sakura-gemini-2-5-flash', requests: 10 },
  // The guest account (Checkout team).
  {
    user: 'guest',
    service: 'helvetia-mistral-large-2',
    requests: 6,
    review: {
      rating: 4,
      title: 'Good multilingual answers',
      text: 'German and French answers read naturally.',
    },
  },
  { user: 'guest', service: 'research-llama-3-1-8b', requests: 10 },
  // Provider engineers are consumers of the other team's services too.
  {
    user: 'diego.alvarez',
    service: 'research-qwen-2-5-72b',
    requests: 8,
    review: {
      rating: 4,
      title: 'Good at structured output',
      text: 'Reliable JSON for our evaluation harness.',
    },
  },
  {
    user: 'diego.alvarez',
    service: 'research-mistral-small-3-1',
    requests: 8,
    stream: 'all',
  },
  {
    user: 'samira.haddad',
    service: 'helvetia-claude-3-5-haiku',
    requests: 10,
    stream: 'mixed',
    // With the Anthropic SDK's protocol (passed through to the Anthropic-native upstream).
    protocol: 'messages',
    review: {
      rating: 5,
      title: 'Fast and cheap',
      text: 'Our default for classification jobs.',
    },
  },
  {
    user: 'samira.haddad',
    service: 'atlas-qwen-2-5-coder-32b',
    requests: 12,
    review: {
      rating: 2,
      title: 'Too many failed requests',
      text: 'A few percent of our calls fail with 5xx; fine for batch jobs with retries, not for interactive use.',
    },
    reply: {
      by: 'wei.chen',
      text: 'Sorry about that: Atlas is moving this model to newer hardware this month.',
    },
  },
  {
    user: 'wei.chen',
    service: 'acme-claude-opus-4',
    requests: 6,
    stream: 'all',
    review: {
      rating: 4,
      title: 'Best answers, slow first token',
      text: 'We use it for reviewing research notes; worth the wait.',
    },
  },
  {
    user: 'wei.chen',
    service: 'sakura-deepseek-v3',
    requests: 8,
    review: { rating: 3, title: 'Good value', text: '' },
  },
  {
    user: 'priya.raman',
    service: 'research-acme-support-llama-8b-ft',
    requests: 8,
  },
  {
    user: 'priya.raman',
    service: 'sakura-gemini-2-5-flash',
    requests: 6,
    stream: 'mixed',
  },
  // The platform admin tries a few services too.
  { user: 'ada', service: 'acme-gemini-2-5-pro', requests: 5 },
  {
    user: 'ada',
    service: 'sakura-gemini-2-0-flash-lite',
    requests: 10,
    stream: 'mixed',
  },
];

/** The prompts the seeded users send, in turn. */
export const PROMPTS = [
  'Summarise the checkout error logs from last night in three bullet points.',
  'Write a unit test for a function that parses ISO 8601 durations.',
  'Explain the difference between optimistic and pessimistic locking.',
  'Draft a friendly release note for the new payment retry feature.',
  'Translate "your order has shipped" into German, French and Japanese.',
  'Suggest names for an internal service that routes LLM requests.',
  'Review this SQL for injection risks: SELECT * FROM orders WHERE id = ${id}.',
  'Classify this support ticket as billing, shipping or account: "I was charged twice".',
];
