import { createHash } from 'crypto';
import { ChatMessageInput } from './request';
import {
  countTextTokens,
  decodeTokens,
  encodeText,
  messageText,
} from './tokens';

/** Natural answer lengths, in tokens, before any max_tokens cut. */
const MIN_NATURAL_TOKENS = 64;
const MAX_NATURAL_TOKENS = 256;

/** The words answers are made of: plain ASCII, mostly one token each. */
const VOCABULARY = `
  the a service platform team catalog component system request response
  token model gateway upstream latency budget usage metering quota plan
  tenant provider consumer endpoint contract schema version release
  deployment cluster region replica cache queue stream event signal metric
  trace log alert dashboard report policy permission owner group user
  developer operator marketplace listing offer price invoice credit limit
  capacity throughput window context prompt answer summary detail example
  pattern practice approach option decision tradeoff risk benefit cost value
  goal simple reliable scalable secure fast steady careful clear small large
  early later shared internal external public private stable new existing
  typical useful explicit consistent predictable observable handles returns
  accepts tracks records forwards routes checks measures limits scales
  stores reads writes serves builds deploys monitors validates describes
  supports requires improves reduces keeps makes uses and or with for from
  into across within before after while because so then also only each every
  most some this that these those its their our when where which should can
  will may often usually always rarely quickly safely directly mostly
`
  .trim()
  .split(/\s+/);

/** A small, fast PRNG (sfc32) so answers are reproducible from a seed. */
function createPrng(seed: Buffer): () => number {
  let a = seed.readUInt32LE(0);
  let b = seed.readUInt32LE(4);
  let c = seed.readUInt32LE(8);
  let d = seed.readUInt32LE(12);
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

function pickInt(rng: () => number, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function makeSentence(rng: () => number): string {
  const length = pickInt(rng, 6, 16);
  const commaAt = rng() < 0.35 ? pickInt(rng, 2, length - 3) : -1;
  const words: string[] = [];
  for (let i = 0; i < length; i++) {
    let word = VOCABULARY[Math.floor(rng() * VOCABULARY.length)];
    if (i === 0) {
      word = word[0].toUpperCase() + word.slice(1);
    }
    if (i === commaAt) {
      word += ',';
    }
    words.push(word);
  }
  return `${words.join(' ')}.`;
}

/** Whole sentences, in paragraphs, until at least `targetTokens` tokens. */
function makeText(rng: () => number, targetTokens: number): string {
  let text = '';
  let sentencesInParagraph = 0;
  let paragraphLength = pickInt(rng, 3, 5);
  while (countTextTokens(text) < targetTokens) {
    if (text) {
      if (sentencesInParagraph >= paragraphLength) {
        text += '\n\n';
        sentencesInParagraph = 0;
        paragraphLength = pickInt(rng, 3, 5);
      } else {
        text += ' ';
      }
    }
    text += makeSentence(rng);
    sentencesInParagraph++;
  }
  return text;
}

/** Cuts text to at most `maxTokens` tokens, at a token boundary. */
export function truncateToTokens(text: string, maxTokens: number): string {
  if (maxTokens <= 0) {
    return '';
  }
  const tokens = encodeText(text);
  if (tokens.length <= maxTokens) {
    return text;
  }
  // Re-encoding a decoded prefix almost always gives the same tokens; step
  // back in the rare case it does not, so the count never exceeds the cap.
  for (let keep = maxTokens; keep > 0; keep--) {
    const candidate = decodeTokens(tokens.slice(0, keep));
    if (countTextTokens(candidate) <= maxTokens) {
      return candidate;
    }
  }
  return '';
}

function applyStop(text: string, stop: readonly string[]): string {
  let cut = text.length;
  for (const sequence of stop) {
    if (sequence) {
      const index = text.indexOf(sequence);
      if (index !== -1 && index < cut) {
        cut = index;
      }
    }
  }
  return text.slice(0, cut);
}

/** The answer as a JSON object, shrinking the prose until it fits. */
function makeJson(
  rng: () => number,
  prose: string,
  maxTokens: number,
): { content: string; truncated: boolean } {
  const topic = VOCABULARY[Math.floor(rng() * VOCABULARY.length)];
  const confidence = Math.round((0.5 + rng() * 0.5) * 100) / 100;
  const render = (answer: string) =>
    JSON.stringify({ topic, confidence, answer });

  const full = render(prose);
  if (countTextTokens(full) <= maxTokens) {
    return { content: full, truncated: false };
  }

  // Largest prefix of words that still fits, by binary search.
  const words = prose.split(' ');
  let low = 0;
  let high = words.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (countTextTokens(render(words.slice(0, mid).join(' '))) <= maxTokens) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  const best = render(words.slice(0, low).join(' '));
  if (countTextTokens(best) <= maxTokens) {
    return { content: best, truncated: true };
  }
  return {
    content: countTextTokens('{}') <= maxTokens ? '{}' : '',
    truncated: true,
  };
}

/** What the simulator needs to know to produce an answer. */
export interface CompletionInput {
  messages: readonly ChatMessageInput[];
  seed?: number | null;
  /** The cap on completion tokens: max_tokens, model limit, context left. */
  maxTokens: number;
  stop?: readonly string[];
  jsonMode?: boolean;
}

/** A content delta of a streamed answer. */
export interface CompletionChunk {
  text: string;
  tokens: number;
}

/** A simulated answer. */
export interface SimulatedCompletion {
  content: string;
  finishReason: 'stop' | 'length';
  /** The tokenizer's count of `content`. */
  completionTokens: number;
  /** `content` split into deltas of 1 to 4 tokens, for streaming. */
  chunks: CompletionChunk[];
}

/**
 * The seed of an answer: the last user message (or the last message when
 * there is no user message) and the request's `seed`.
 */
function promptDigest(
  messages: readonly ChatMessageInput[],
  seed: number | null | undefined,
): Buffer {
  const lastUser =
    [...messages].reverse().find(message => message.role === 'user') ??
    messages[messages.length - 1];
  return createHash('sha256')
    .update(JSON.stringify([messageText(lastUser), seed ?? null]))
    .digest();
}

function splitIntoChunks(
  content: string,
  rng: () => number,
): CompletionChunk[] {
  const tokens = encodeText(content);
  const chunks: CompletionChunk[] = [];
  for (let start = 0; start < tokens.length; ) {
    const size = Math.min(pickInt(rng, 1, 4), tokens.length - start);
    chunks.push({
      text: decodeTokens(tokens.slice(start, start + size)),
      tokens: size,
    });
    start += size;
  }
  // Decoding token groups separately can split a multi-byte character; the
  // vocabulary is ASCII so this does not happen, but never send wrong text.
  if (chunks.map(chunk => chunk.text).join('') !== content) {
    return content ? [{ text: content, tokens: tokens.length }] : [];
  }
  return chunks;
}

/**
 * Produces a deterministic answer for a chat: the same messages and seed
 * always give the same content. The answer has a natural length of 64 to
 * 256 tokens derived from the prompt; when that is more than `maxTokens`
 * the answer is cut and `finishReason` is `length`.
 */
export function simulateCompletion(
  input: CompletionInput,
): SimulatedCompletion {
  const digest = promptDigest(input.messages, input.seed);
  const rng = createPrng(digest);
  const naturalTokens =
    MIN_NATURAL_TOKENS +
    (digest.readUInt32LE(16) % (MAX_NATURAL_TOKENS - MIN_NATURAL_TOKENS + 1));
  const maxTokens = Math.max(0, input.maxTokens);

  let content: string;
  let finishReason: 'stop' | 'length';
  if (input.jsonMode) {
    const json = makeJson(rng, makeText(rng, naturalTokens), maxTokens);
    content = json.content;
    finishReason = json.truncated ? 'length' : 'stop';
  } else {
    const natural = applyStop(makeText(rng, naturalTokens), input.stop ?? []);
    if (countTextTokens(natural) <= maxTokens) {
      content = natural;
      finishReason = 'stop';
    } else {
      content = truncateToTokens(natural, maxTokens);
      finishReason = 'length';
    }
  }

  return {
    content,
    finishReason,
    completionTokens: countTextTokens(content),
    chunks: splitIntoChunks(content, rng),
  };
}
