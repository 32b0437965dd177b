/* Numbers as the databases return them. */

/** bigint columns come back as strings from PostgreSQL. */
export function num(value: unknown): number {
  if (value === null || value === undefined) {
    return 0;
  }
  return typeof value === 'number' ? value : Number(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export function isoOrNull(ms: unknown): string | null {
  return ms === null || ms === undefined
    ? null
    : new Date(num(ms)).toISOString();
}
