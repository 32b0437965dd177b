import { useState } from 'react';
import Button from '@mui/material/Button';
import AddIcon from '@mui/icons-material/Add';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Navigate,
  Link as RouterLink,
  useSearchParams,
} from 'react-router-dom';
import { Content, ContentHeader } from '@backstage/core-components';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { ManagedService } from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import { TableStates } from '../shared/DataTable';
import { editServicePath, PUBLISH_TEMPLATE_PATH } from '../shared/editService';
import { EditNotice } from './EditLinks';
import { ManagedServicesTable } from './ManagedServicesTable';
import { UnpublishDialog } from './UnpublishDialog';

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

  let body = (
    <TableStates
      data={services}
      isEmpty={value => !value.length}
      empty={{
        missing: 'content',
        title: 'Your teams publish no services yet',
        description:
          "Publish an LLM API with the six-step form, or add a ModelService to a catalog-info.yaml in your team's repository. Only members of provider teams can publish.",
        action: (
          <Button
            variant="contained"
            component={RouterLink}
            to={PUBLISH_TEMPLATE_PATH}
          >
            Publish a service
          </Button>
        ),
      }}
    >
      {value => (
        <ManagedServicesTable services={value} onUnpublish={setUnpublishing} />
      )}
    </TableStates>
  );

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
