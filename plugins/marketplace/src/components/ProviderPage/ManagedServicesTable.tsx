import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { ManagedService } from '@internal/plugin-marketplace-common';
import { formatDateTimeUtc } from '../../format';
import { DataTable } from '../shared/DataTable';
import { RefLink } from '../shared/RefLink';
import { PublicationChip } from '../Publishing';
import { EditAction } from './EditLinks';

function ServiceState(props: { service: ManagedService }) {
  const { publication } = props.service;
  return (
    <Stack spacing={0.5} alignItems="flex-start">
      <PublicationChip publication={publication} />
      {publication.status === 'rejected' && publication.reason && (
        <Typography variant="caption" color="error">
          {publication.reason}
        </Typography>
      )}
      {props.service.changeInReview && (
        <Typography variant="caption" color="text.secondary">
          Your change waits for review: subscribers keep the approved version
        </Typography>
      )}
      {props.service.changeRejected && (
        <Typography variant="caption" color="error">
          Your last change was rejected
          {props.service.changeRejected.reason
            ? `: ${props.service.changeRejected.reason}`
            : ''}
          . Subscribers keep the approved version; change the service again to
          send it back to review.
        </Typography>
      )}
      {publication.unpublishedAt && publication.sunsetAt && (
        <Typography variant="caption" color="text.secondary">
          Served until {formatDateTimeUtc(publication.sunsetAt)}
        </Typography>
      )}
    </Stack>
  );
}

/** The services of the user's teams, in every state, with Edit and Unpublish. */
export function ManagedServicesTable(props: {
  services: ManagedService[];
  onUnpublish: (service: ManagedService) => void;
}) {
  return (
    <DataTable
      label="Your services"
      head={
        <>
          <TableCell>Service</TableCell>
          <TableCell>State</TableCell>
          <TableCell>Provider</TableCell>
          <TableCell>Owner</TableCell>
          <TableCell>Source</TableCell>
          <TableCell>Submitted</TableCell>
          <TableCell align="right">Actions</TableCell>
        </>
      }
    >
      {props.services.map(s => (
        <TableRow key={s.entityRef} data-testid="managed-service-row">
          <TableCell>
            <RefLink entityRef={s.entityRef} defaultKind="ModelService" />
            <Typography variant="body2" color="text.secondary">
              {s.name}
            </Typography>
          </TableCell>
          <TableCell>
            <ServiceState service={s} />
          </TableCell>
          <TableCell>
            <RefLink
              entityRef={s.entity.spec.providedBy}
              defaultKind="Provider"
            />
          </TableCell>
          <TableCell>
            <RefLink entityRef={s.entity.spec.owner} defaultKind="Group" />
          </TableCell>
          <TableCell>
            {s.location ? (
              <>
                Catalog YAML
                <Typography
                  variant="caption"
                  color="text.secondary"
                  component="div"
                >
                  Source of truth: the YAML in your repository
                </Typography>
              </>
            ) : (
              'Published in the portal'
            )}
          </TableCell>
          <TableCell>{formatDateTimeUtc(s.publication.submittedAt)}</TableCell>
          <TableCell align="right">
            {!s.publication.unpublishedAt && <EditAction service={s} />}
            {!s.publication.unpublishedAt && (
              <Button
                size="small"
                color="error"
                onClick={() => props.onUnpublish(s)}
                aria-label={`Unpublish ${s.name}`}
              >
                Unpublish
              </Button>
            )}
          </TableCell>
        </TableRow>
      ))}
    </DataTable>
  );
}
