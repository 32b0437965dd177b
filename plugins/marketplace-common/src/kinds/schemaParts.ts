/** `HH:MM`, 24-hour clock; `24:00` allowed as an end of day. */
export const HH_MM_PATTERN = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
/** ISO 3166-1 alpha-2 country code. */
export const ISO_COUNTRY_PATTERN = '^[A-Z]{2}$';
/** ISO 8601 date-time with seconds and an explicit offset or Z. */
export const ISO_DATE_TIME_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$';
/** ISO 8601 date. */
export const ISO_DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
/** An HTTP header name. */
export const HTTP_HEADER_PATTERN = '^[A-Za-z0-9-]+$';
/** An absolute http(s) URL. */
export const URL_PATTERN = '^https?://[^\\s/$.?#][^\\s]*$';
/** Name of a config key / environment variable holding a secret. */
export const SECRET_REF_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
/** An e-mail address. */
export const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';

export const positiveInteger = { type: 'integer', minimum: 1 } as const;
export const nonNegativeInteger = { type: 'integer', minimum: 0 } as const;
export const entityRefSchema = { type: 'string', minLength: 1 } as const;
