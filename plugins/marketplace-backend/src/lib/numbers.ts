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

/** The sums of the number fields `fields` over `rows` (each field 0 when there are none). */
export function sumFields<K extends string>(
  rows: ReadonlyArray<Record<K, number>>,
  fields: readonly K[],
): Record<K, number> {
  const totals = Object.fromEntries(fields.map(f => [f, 0])) as Record<
    K,
    number
  >;
  for (const row of rows) {
    for (const f of fields) {
      totals[f] += row[f];
    }
  }
  return totals;
}
