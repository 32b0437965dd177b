import { formatMicros } from '@internal/plugin-marketplace-common';
import {
  API_COMPATIBILITIES,
  ApiCompatibility,
  AvailabilitySchedule,
  GeoRegion,
  MODEL_FEATURES,
  ModelFamily,
  ModelFeature,
  UpstreamAuthType,
  Weekday,
  WEEKDAYS,
  WeeklyHours,
} from '@internal/plugin-marketplace-common';

function compact(value: number, unit: number, suffix: string): string {
  const scaled = value / unit;
  const rounded = Math.round(scaled * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded : rounded.toFixed(1)}${suffix}`;
}

/**
 * Formats a token count compactly: 128000 and 131072 both become "128K",
 * 1000000 and 1048576 both become "1M". Counts below 1,000 are shown as is.
 */
export function formatTokenCount(tokens: number): string {
  if (!Number.isFinite(tokens)) {
    return String(tokens);
  }
  const abs = Math.abs(tokens);
  // Round decimal sizes (128000) use decimal units; binary sizes (32768,
  // 131072) are conventionally shown in binary units (32K, 128K).
  const MI = 1024 * 1024;
  if (abs >= 1_000_000) {
    if (abs % 100_000 !== 0 && abs % MI === 0) {
      return compact(tokens, MI, 'M');
    }
    return compact(tokens, 1_000_000, 'M');
  }
  if (abs >= 1000) {
    if (abs % 100 !== 0 && abs % 1024 === 0) {
      return compact(tokens, 1024, 'K');
    }
    return compact(tokens, 1000, 'K');
  }
  return String(tokens);
}

/** Formats an integer with thousands separators: 1000000 -> "1,000,000". */
export function formatInteger(value: number): string {
  return value.toLocaleString('en-US');
}

const FAMILY_LABELS: Record<ModelFamily, string> = {
  gpt: 'GPT',
  claude: 'Claude',
  llama: 'Llama',
  gemini: 'Gemini',
  mistral: 'Mistral',
  embedding: 'Embedding',
  other: 'Other',
};

export function familyLabel(family: string | undefined): string {
  if (!family) {
    return '';
  }
  return FAMILY_LABELS[family as ModelFamily] ?? family;
}

export const FEATURE_LABELS: Record<ModelFeature, string> = {
  functionCalling: 'Function calling',
  vision: 'Vision',
  streaming: 'Streaming',
  jsonMode: 'JSON mode',
  fineTuned: 'Fine-tuned',
  embeddings: 'Embeddings',
};

/** Labels of the features a service declares as enabled, in canonical order. */
export function enabledFeatureLabels(
  features: Partial<Record<ModelFeature, boolean>> | undefined,
): string[] {
  return MODEL_FEATURES.filter(f => features?.[f] === true).map(
    f => FEATURE_LABELS[f],
  );
}

const API_COMPATIBILITY_LABELS: Record<ApiCompatibility, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  gemini: 'Gemini',
  mistral: 'Mistral',
  cohere: 'Cohere',
  ollama: 'Ollama',
};

export function apiCompatibilityLabel(api: string): string {
  return (API_COMPATIBILITIES as readonly string[]).includes(api)
    ? API_COMPATIBILITY_LABELS[api as ApiCompatibility]
    : api;
}

const REGION_LABELS: Record<GeoRegion, string> = {
  'north-america': 'North America',
  'south-america': 'South America',
  europe: 'Europe',
  'middle-east': 'Middle East',
  africa: 'Africa',
  'asia-pacific': 'Asia-Pacific',
};

export function regionLabel(region: string | undefined): string {
  if (!region) {
    return '';
  }
  return REGION_LABELS[region as GeoRegion] ?? region;
}

/** "DE" -> "Germany (DE)"; falls back to the code when names are unavailable. */
export function countryLabel(code: string | undefined): string {
  if (!code) {
    return '';
  }
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'region' }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

const SCHEDULE_LABELS: Record<AvailabilitySchedule, string> = {
  '24/7': '24/7',
  business_hours: 'Business hours',
  custom: 'Custom schedule',
};

export function scheduleLabel(schedule: string | undefined): string {
  if (!schedule) {
    return '';
  }
  return SCHEDULE_LABELS[schedule as AvailabilitySchedule] ?? schedule;
}

const AUTH_TYPE_LABELS: Record<UpstreamAuthType, string> = {
  bearer: 'Bearer token',
  header: 'API key header',
  none: 'None',
};

export function authTypeLabel(type: string | undefined): string {
  if (!type) {
    return '';
  }
  return AUTH_TYPE_LABELS[type as UpstreamAuthType] ?? type;
}

const WEEKDAY_LABELS: Record<Weekday, string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

/**
 * Formats a list of weekdays, collapsing consecutive runs: [mon..fri] -> "Mon–Fri",
 * [mon, wed, sat, sun] -> "Mon, Wed, Sat–Sun".
 */
export function formatDays(days: readonly string[]): string {
  const indexes = Array.from(
    new Set(
      days
        .map(d => WEEKDAYS.indexOf(d as Weekday))
        .filter(i => i >= 0)
        .sort((a, b) => a - b),
    ),
  );
  const parts: string[] = [];
  let i = 0;
  while (i < indexes.length) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j] + 1) {
      j++;
    }
    const from = WEEKDAY_LABELS[WEEKDAYS[indexes[i]]];
    const to = WEEKDAY_LABELS[WEEKDAYS[indexes[j]]];
    if (j === i) {
      parts.push(from);
    } else if (j === i + 1) {
      parts.push(from, to);
    } else {
      parts.push(`${from}–${to}`);
    }
    i = j + 1;
  }
  return parts.join(', ');
}

/** "Mon–Fri 09:00–17:00" */
export function formatWeeklyHours(hours: WeeklyHours): string {
  return `${formatDays(hours.days)} ${hours.start}–${hours.end}`;
}

const dateTimeFormat = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

/** Formats an ISO date-time in UTC: "Jan 5, 2099, 02:00 UTC". */
export function formatDateTimeUtc(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    return iso;
  }
  return `${dateTimeFormat.format(ms)} UTC`;
}

const dateFormat = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

/** Formats an ISO date ("2025-01-15") as "Jan 15, 2025". */
export function formatDate(isoDate: string): string {
  const ms = Date.parse(isoDate);
  if (Number.isNaN(ms)) {
    return isoDate;
  }
  return dateFormat.format(ms);
}

/** "99.9" -> "99.9%", "99.95" -> "99.95%" */
export function formatPercent(value: number): string {
  return `${value.toLocaleString('en-US', { maximumFractionDigits: 3 })}%`;
}

const timestampFormat = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

/** Formats an ISO date-time in UTC with seconds: "Jan 5, 2099, 02:00:09 UTC". */
export function formatTimestampUtc(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    return iso;
  }
  return `${timestampFormat.format(ms)} UTC`;
}

/**
 * An amount of money (spend, revenue, a payout) with a precision fit for its
 * size: cents from $1, two significant digits below ($0.46, $0.012, $0.00084),
 * $0.00 for nothing. Integer arithmetic on micro-units; the exact amount is
 * {@link formatMicros}'s, for tooltips and CSV.
 */
export function formatMoney(micros: number): string {
  if (!Number.isSafeInteger(micros)) {
    throw new TypeError(`formatMoney expects an integer, got ${micros}`);
  }
  const abs = Math.abs(micros);
  if (abs === 0) {
    return formatMicros(0);
  }
  const places =
    abs >= 1_000_000 ? 2 : Math.min(6, Math.max(2, 8 - String(abs).length));
  const unit = 10 ** (6 - places);
  const rounded = Math.round(abs / unit) * unit;
  return formatMicros(micros < 0 ? -rounded : rounded, {
    maxFractionDigits: places,
  });
}

/** The exact amount, for a tooltip: "$48.86425 (48,864,250 micro-USD)". */
export function exactMoney(micros: number): string {
  return `${formatMicros(micros)} (${micros.toLocaleString(
    'en-US',
  )} micro-USD)`;
}

/**
 * Whether a service is priced by its input alone: an embedding service has no
 * output, so it has no output price to show (its completion price is 0 only
 * because the schema needs one).
 */
export function isInputOnly(features: readonly string[]): boolean {
  return features.includes('embeddings');
}

/** What the price cells say instead of an output price for such a service. */
export const INPUT_ONLY_LABEL = 'input only';
