import { Statement } from '@internal/plugin-marketplace-common';

/** Integer micro-USD as a decimal USD amount with all 6 decimals, exactly. */
export function microsToUsd(micros: number): string {
  if (!Number.isSafeInteger(micros)) {
    throw new TypeError(`Expected integer micro-USD, got ${micros}`);
  }
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(
    abs % 1_000_000,
  ).padStart(6, '0')}`;
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, or line break,
 * quotes doubled. Text that a spreadsheet would run as a formula (starting with
 * `=`, `+`, `-`, `@`, tab or carriage return) gets a leading apostrophe.
 */
export function csvField(value: string | number | null): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  let text = value;
  // A plain decimal (a negative amount) cannot run as a formula.
  if (/^[=+\-@\t\r]/.test(text) && !/^-\d+(\.\d+)?$/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: Array<string | number | null>): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/**
 * A statement as CSV: one line per statement line and a TOTAL line; money in
 * integer micro-USD and in USD (6 decimals).
 */
export function statementCsv(
  statement: Statement,
  titleOf: (serviceRef: string) => string | null,
): string {
  const provider = statement.kind === 'provider';
  const header = [
    'month',
    'status',
    // Whose statement: the provider team, or the user or team charged.
    provider ? 'team' : 'statement_of',
    'service',
    'service_title',
    ...(provider ? [] : ['user', 'billed_to']),
    'requests',
    'prompt_tokens',
    'completion_tokens',
    'trial_tokens',
    'gross_micros',
    'gross_usd',
    'platform_fee_micros',
    'platform_fee_usd',
    'net_micros',
    'net_usd',
  ];
  let out = csvLine(header);
  const money = (m: {
    grossMicros: number;
    platformFeeMicros: number;
    netMicros: number;
  }) => [
    m.grossMicros,
    microsToUsd(m.grossMicros),
    m.platformFeeMicros,
    microsToUsd(m.platformFeeMicros),
    m.netMicros,
    microsToUsd(m.netMicros),
  ];
  for (const line of statement.lines) {
    out += csvLine([
      statement.month,
      statement.status,
      statement.ownerRef,
      line.serviceRef,
      titleOf(line.serviceRef),
      ...(provider ? [] : [line.userRef, line.teamRef ?? 'personal']),
      line.requests,
      line.promptTokens,
      line.completionTokens,
      line.trialTokens,
      ...money(line),
    ]);
  }
  const t = statement.totals;
  out += csvLine([
    statement.month,
    statement.status,
    statement.ownerRef,
    'TOTAL',
    null,
    ...(provider ? [] : [null, null]),
    t.requests,
    t.promptTokens,
    t.completionTokens,
    t.trialTokens,
    ...money(t),
  ]);
  if (statement.slaCredits.length === 0) {
    return out;
  }
  // SLA credits: given back to the payer (gross), deducted from the provider (net).
  const amount = (micros: number) =>
    provider
      ? [null, null, null, null, micros, microsToUsd(micros)]
      : [micros, microsToUsd(micros), null, null, null, null];
  for (const c of statement.slaCredits) {
    out += csvLine([
      statement.month,
      statement.status,
      statement.ownerRef,
      c.serviceRef,
      `SLA credit: ${c.creditPercent} % (uptime ${c.measuredUptimePercent} % against ${c.committedUptimePercent} % committed)`,
      ...(provider ? [] : [null, null]),
      null,
      null,
      null,
      null,
      ...amount(-c.creditMicros),
    ]);
  }
  out += csvLine([
    statement.month,
    statement.status,
    statement.ownerRef,
    provider ? 'PAYOUT_AFTER_SLA_CREDITS' : 'DUE_AFTER_SLA_CREDITS',
    null,
    ...(provider ? [] : [null, null]),
    null,
    null,
    null,
    null,
    ...amount(
      (provider ? t.netMicros : t.grossMicros) - statement.slaCreditMicros,
    ),
  ]);
  return out;
}

/** A file name without characters that need quoting in a header. */
export function csvFileName(parts: string[]): string {
  return `${parts
    .map(p => p.replace(/^[a-z]+:/i, '').replace(/[^A-Za-z0-9._-]+/g, '-'))
    .join('-')}.csv`;
}
