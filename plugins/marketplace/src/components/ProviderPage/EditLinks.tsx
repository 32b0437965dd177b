import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router-dom';
import { ManagedService } from '@internal/plugin-marketplace-common';
import { editServicePath } from '../shared/editService';

/** A catalog location ("url:https://…/catalog-info.yaml") as a link target. */
export function locationUrl(location: string): string | undefined {
  const target = location.replace(/^url:/, '');
  return /^https?:\/\//.test(target) ? target : undefined;
}

/** How a service is changed: Edit for portal ones, the YAML for the others. */
export function EditAction(props: { service: ManagedService }) {
  const { service } = props;
  if (!service.location) {
    return (
      <Button
        size="small"
        component={RouterLink}
        to={editServicePath(service.entity)}
        aria-label={`Edit ${service.name}`}
      >
        Edit
      </Button>
    );
  }
  const url = locationUrl(service.location);
  const tip = `${service.name} is defined in catalog YAML: the YAML in your repository is the source of truth. Change it there; the portal picks the change up.`;
  return url ? (
    <Tooltip title={tip}>
      <Button
        size="small"
        href={url}
        target="_blank"
        rel="noopener"
        aria-label={`Edit ${service.name} in its repository`}
      >
        Edit YAML
      </Button>
    </Tooltip>
  ) : (
    <Tooltip title={tip}>
      <Typography variant="caption" color="text.secondary" component="span">
        Edit {service.location}
      </Typography>
    </Tooltip>
  );
}

/**
 * What `?edit=<name>` (the About card's Edit on a service page) leads to when
 * it is not the publish form: a catalog YAML service's source of truth, or who
 * may edit the service.
 */
export function EditNotice(props: {
  name: string;
  service: ManagedService | undefined;
}) {
  const { name, service } = props;
  if (!service) {
    return (
      <Alert severity="info" sx={{ mb: 2 }} data-testid="edit-notice">
        Only the team that owns {name} can edit it, and you are not a member of
        it. Ask its owners (on the{' '}
        <Link
          component={RouterLink}
          to={`/catalog/default/modelservice/${encodeURIComponent(name)}`}
        >
          service's page
        </Link>
        ) for the change.
      </Alert>
    );
  }
  if (service.publication.unpublishedAt) {
    return (
      <Alert severity="info" sx={{ mb: 2 }} data-testid="edit-notice">
        {name} is unpublished: it can no longer be edited.
      </Alert>
    );
  }
  const url = service.location ? locationUrl(service.location) : undefined;
  return (
    <Alert severity="info" sx={{ mb: 2 }} data-testid="edit-notice">
      {name} is defined in catalog YAML: the YAML in your repository is the
      source of truth. Change it there; the portal picks the change up.{' '}
      {url ? (
        <Link href={url} target="_blank" rel="noopener">
          Open its YAML
        </Link>
      ) : (
        <>Its file: {service.location}</>
      )}
    </Alert>
  );
}
