import { ReactNode } from 'react';
import Link from '@mui/material/Link';

/** A plain link opening in a new tab. */
export function ExternalLink(props: { href: string; children?: ReactNode }) {
  const { href, children } = props;
  return (
    <Link href={href} target="_blank" rel="noopener noreferrer">
      {children ?? href}
    </Link>
  );
}

const URL_RE = /^https?:\/\//i;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Renders free-text contact info: URLs as links, e-mail addresses as mailto
 * links, anything else (e.g. "#llm-support" on Slack) as text.
 */
export function ContactValue(props: { value: string | undefined }) {
  const { value } = props;
  if (!value) {
    return null;
  }
  if (URL_RE.test(value)) {
    return <ExternalLink href={value} />;
  }
  if (EMAIL_RE.test(value)) {
    return <Link href={`mailto:${value}`}>{value}</Link>;
  }
  return <>{value}</>;
}
