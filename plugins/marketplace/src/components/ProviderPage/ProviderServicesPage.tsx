import { useState } from 'react';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Alert from '@mui/material/Alert';
import Link from '@mui/material/Link';
import {
  Navigate,
  Link as RouterLink,
  useSearchParams,
} from 'react-router-dom';
import {
  Content,
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { ManagedService } from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import { formatDateTimeUtc } from '../../format';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { RefLink } from '../shared/RefLink';
import { PublicationChip } from '../Publishing/PublicationStatus';
import { dataTableSx, tableContainerSx } from '../shared/tables';
import { editServicePath, PUBLISH_TEMPLATE_PATH } from './editService';

/** A catalog location ("url:https://…/catalog-info.yaml") as a link target. */
export function locationUrl(location: string): string | undefined {
  const target = location.replace(/^url:/, '');
  return /^https?:\/\//.test(target) ? target : undefined;
}

/** How a service is changed: Edit for portal ones, the YAML for the others. */
function EditAction(props: { service: ManagedService }) {
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

export { PUBLISH_TEMPLATE_PATH };

/**
 * What `?edit=<name>` (the About card's Edit on a service page) leads to when
 * it is not the publish form: a catalog YAML service's source of truth, or who
 * may edit the service.
 */
function EditNotice(props: {
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

const DAY_MS = 86_400_000;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

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

/** Asks when existing subscribers lose access, then unpublishes. */
function UnpublishDialog(props: {
  service: ManagedService | undefined;
  busy: boolean;
  onConfirm: (sunsetAt: string) => void;
  onCancel: () => void;
}) {
  const { service, busy, onConfirm, onCancel } = props;
  const [sunset, setSunset] = useState(isoDay(Date.now() + 30 * DAY_MS));
  const ms = Date.parse(`${sunset}T00:00:00Z`);
  const invalid =
    Number.isNaN(ms) || ms <= Date.now() || ms > Date.now() + 365 * DAY_MS;
  return (
    <ConfirmDialog
      open={!!service}
      title={`Unpublish ${
        service?.entity.metadata.title ?? service?.name ?? ''
      }?`}
      confirmLabel="Unpublish"
      busy={busy}
      confirmDisabled={invalid}
      onCancel={onCancel}
      onConfirm={() => onConfirm(new Date(ms).toISOString())}
    >
      <Typography variant="body2" sx={{ mb: 2 }}>
        New subscriptions stop at once. Current subscribers are notified and
        keep access until the sunset date; after it the gateway answers 410
        Gone.
      </Typography>
      <TextField
        type="date"
        label="Sunset (UTC)"
        value={sunset}
        onChange={e => setSunset(e.target.value)}
        error={invalid}
        helperText={
          invalid ? 'A date after today, at most a year ahead' : undefined
        }
        InputLabelProps={{ shrink: true }}
        fullWidth
      />
    </ConfirmDialog>
  );
}

/**
 * The services the user's teams publish, in every state (pending review, live,
 * rejected with the reason, unpublished), with "Publish a service" and
 * "Unpublish". A page of its own, or (`embedded`) the Services tab of the
 * provider dashboard at `/marketplace/provider`.
 */
export function ProviderServicesPage(props: { embedded?: boolean } = {}) {
  const api = useApi(marketplaceApiRef);
  const toastApi = useApi(toastApiRef);
  const services = useAsyncRetry(() => api.listManagedServices(), [api]);
  const [params] = useSearchParams();
  const editing = params.get('edit');
  const [unpublishing, setUnpublishing] = useState<ManagedService>();
  const [busy, setBusy] = useState(false);

  const unpublish = async (sunsetAt: string) => {
    if (!unpublishing) {
      return;
    }
    setBusy(true);
    try {
      const result = await api.unpublishService(unpublishing.id, { sunsetAt });
      toastApi.post({
        title: `${unpublishing.name} is unpublished; ${result.notifiedSubscribers} subscriber(s) notified`,
        status: 'success',
        timeout: 6000,
      });
      setUnpublishing(undefined);
      services.retry();
    } catch (e) {
      toastApi.post({
        title: `Could not unpublish ${unpublishing.name}: ${errorMessage(e)}`,
        status: 'danger',
      });
    } finally {
      setBusy(false);
    }
  };

  let body;
  if (services.loading && !services.value) {
    body = <Progress />;
  } else if (services.error) {
    body = <ResponseErrorPanel error={services.error} />;
  } else if (!services.value?.length) {
    body = (
      <EmptyState
        missing="content"
        title="Your teams publish no services yet"
        description="Publish an LLM API with the six-step form, or add a ModelService to a catalog-info.yaml in your team's repository. Only members of provider teams can publish."
        action={
          <Button
            variant="contained"
            component={RouterLink}
            to={PUBLISH_TEMPLATE_PATH}
          >
            Publish a service
          </Button>
        }
      />
    );
  } else {
    body = (
      <TableContainer sx={tableContainerSx}>
        <Table size="small" sx={dataTableSx} aria-label="Your services">
          <TableHead>
            <TableRow>
              <TableCell>Service</TableCell>
              <TableCell>State</TableCell>
              <TableCell>Provider</TableCell>
              <TableCell>Owner</TableCell>
              <TableCell>Source</TableCell>
              <TableCell>Submitted</TableCell>
              <TableCell align="right">Actions</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {services.value.map(s => (
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
                  <RefLink
                    entityRef={s.entity.spec.owner}
                    defaultKind="Group"
                  />
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
                <TableCell>
                  {formatDateTimeUtc(s.publication.submittedAt)}
                </TableCell>
                <TableCell align="right">
                  {!s.publication.unpublishedAt && <EditAction service={s} />}
                  {!s.publication.unpublishedAt && (
                    <Button
                      size="small"
                      color="error"
                      onClick={() => setUnpublishing(s)}
                      aria-label={`Unpublish ${s.name}`}
                    >
                      Unpublish
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );
  }

  if (editing && services.value) {
    const service = services.value.find(x => x.name === editing);
    if (service && !service.location && !service.publication.unpublishedAt) {
      // A portal service of the user's team: its publish form, filled in.
      return <Navigate to={editServicePath(service.entity)} replace />;
    }
    body = (
      <>
        <EditNotice name={editing} service={service} />
        {body}
      </>
    );
  }

  const dialog = (
    <UnpublishDialog
      service={unpublishing}
      busy={busy}
      onCancel={() => setUnpublishing(undefined)}
      onConfirm={unpublish}
    />
  );
  if (props.embedded) {
    return (
      <>
        {body}
        {dialog}
      </>
    );
  }
  return (
    <Content>
      <ContentHeader title="Your services">
        <Button
          variant="contained"
          startIcon={<AddIcon />}
          component={RouterLink}
          to={PUBLISH_TEMPLATE_PATH}
        >
          Publish a service
        </Button>
      </ContentHeader>
      {body}
      {dialog}
    </Content>
  );
}
