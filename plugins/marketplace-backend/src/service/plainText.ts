import { InputError } from '@backstage/errors';

/**
 * Free text a person types (a review, a reply, a reason for hiding a review or
 * suspending a user): trimmed, then, when `ifEmpty` is given, not empty, and
 * without control characters except newlines and tabs. The OpenAPI document
 * checks its type and length; it cannot trim, and a pattern would answer with
 * the regular expression instead of these words.
 *
 * @param field - the body field, as the 400 names it
 * @param ifEmpty - the message when the trimmed text is empty (omitted: empty is fine)
 */
export function plainText(
  value: string,
  field: string,
  ifEmpty?: string,
): string {
  const text = value.trim();
  if (!text && ifEmpty) {
    throw new InputError(`Invalid body field '${field}': ${ifEmpty}`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    throw new InputError(
      `Invalid body field '${field}': must not contain control characters`,
    );
  }
  return text;
}
