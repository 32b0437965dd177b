/**
 * Runs `validate` only for entities that claim to be of `kind`, so that a
 * processor can hand every entity to every validator.
 */
export function checkEntity<T>(
  kind: string,
  data: unknown,
  validate: (data: unknown) => T | false,
): T | false {
  if (typeof data !== 'object' || data === null) {
    return false;
  }
  if ((data as { kind?: unknown }).kind !== kind) {
    return false;
  }
  return validate(data);
}

/**
 * Turns the catalog-model's ajv message (`/spec/contextWindow must be integer - type: integer`)
 * into one that names the field the way YAML authors write it
 * (`ModelService spec.contextWindow must be integer`).
 */
export function describeSchemaError(kind: string, error: unknown): string {
  // Not `instanceof Error`: the error may come from another realm (e.g. jest's sandbox).
  const message =
    typeof (error as { message?: unknown })?.message === 'string'
      ? (error as { message: string }).message
      : String(error);
  const match = /^(\S+) (.*)$/s.exec(message);
  if (!match) {
    return `${kind} ${message}`;
  }
  const [, pointer, rest] = match;
  let field = pointerToPath(pointer);
  let detail = rest;
  const missing = /must have required property '([^']+)'/.exec(rest);
  if (missing) {
    field = field ? `${field}.${missing[1]}` : missing[1];
    detail = 'is required';
  }
  const additional = / - additionalProperty: (\S+)/.exec(rest);
  if (additional) {
    field = field ? `${field}.${additional[1]}` : additional[1];
    detail = 'is not a known field';
  }
  const allowed = / - allowedValues: (.*)$/.exec(rest);
  if (allowed) {
    detail = `must be one of: ${allowed[1].split(',').join(', ')}`;
  }
  detail = detail.replace(
    / - (type|limit|comparison|pattern|missingProperty|i|j): .*$/,
    '',
  );
  return `${kind} ${field || '<root>'} ${detail}`;
}

function pointerToPath(pointer: string): string {
  if (pointer === '<root>') {
    return '';
  }
  let path = '';
  for (const raw of pointer.split('/').filter(Boolean)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) {
      path += `[${part}]`;
    } else {
      path += path ? `.${part}` : part;
    }
  }
  return path;
}
