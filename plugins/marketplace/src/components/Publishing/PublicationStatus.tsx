import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Chip from '@mui/material/Chip';
import { ServicePublication } from '@internal/plugin-marketplace-common';
import { formatDateTimeUtc } from '../../format';
import { RefLink } from '../shared/RefLink';

/** Whether a service is unpublished (its sunset may still be ahead). */
export function isUnpublished(publication: ServicePublication | undefined) {
  return !!publication?.unpublishedAt;
}

/** Whether a service is live: approved and not unpublished. */
export function isLive(publication: ServicePublication | undefined) {
  return (
    !publication ||
    (publication.status === 'approved' && !publication.unpublishedAt)
  );
}

/** A chip for a service's review and lifecycle state. */
export function PublicationChip(props: {
  publication: ServicePublication | undefined;
}) {
  const { publication } = props;
  if (!publication) {
    return null;
  }
  if (publication.unpublishedAt) {
    const sunsetPassed =
      publication.sunsetAt && Date.parse(publication.sunsetAt) <= Date.now();
    return (
      <Chip
        size="small"
        color="default"
        variant="outlined"
        label={sunsetPassed ? 'Retired' : 'Unpublished'}
      />
    );
  }
  switch (publication.status) {
    case 'pending':
      return <Chip size="small" color="warning" label="Pending approval" />;
    case 'rejected':
      return <Chip size="small" color="error" label="Rejected" />;
    default:
      return <Chip size="small" color="success" label="Live" />;
  }
}

/**
 * What the owners of a service that is not live need to know: waiting for
 * review, rejected (with the admin's reason) or unpublished (with the sunset).
 * Renders nothing for live services.
 */
export function PublicationBanner(props: {
  publication: ServicePublication | undefined;
}) {
  const { publication } = props;
  if (!publication || isLive(publication)) {
    return null;
  }
  if (publication.unpublishedAt) {
    return (
      <Alert severity="warning" role="status">
        <AlertTitle>Unpublished</AlertTitle>
        Unpublished on {formatDateTimeUtc(publication.unpublishedAt)}: no new
        subscriptions.{' '}
        {publication.sunsetAt &&
          (Date.parse(publication.sunsetAt) > Date.now()
            ? `Existing subscribers can keep using it until ${formatDateTimeUtc(
                publication.sunsetAt,
              )}; then the gateway answers 410 Gone.`
            : `Its sunset passed on ${formatDateTimeUtc(
                publication.sunsetAt,
              )}: the gateway answers 410 Gone.`)}
      </Alert>
    );
  }
  if (publication.status === 'rejected') {
    return (
      <Alert severity="error" role="status">
        <AlertTitle>Rejected</AlertTitle>
        {publication.decidedBy ? (
          <>
            <RefLink entityRef={publication.decidedBy} defaultKind="User" />{' '}
            rejected
          </>
        ) : (
          'Rejected'
        )}{' '}
        this service
        {publication.decidedAt
          ? ` on ${formatDateTimeUtc(publication.decidedAt)}`
          : ''}
        : {publication.reason ?? 'no reason given'}. It stays hidden from browse
        and the gateway. Fix what the reason names and ask the platform admins
        to review it again.
      </Alert>
    );
  }
  return (
    <Alert severity="info" role="status">
      <AlertTitle>Pending approval</AlertTitle>
      Submitted on {formatDateTimeUtc(publication.submittedAt)}. A platform
      admin reviews it before it goes live; until then only its owners and the
      admins can see it, it is not in browse and the gateway does not serve it.
    </Alert>
  );
}
