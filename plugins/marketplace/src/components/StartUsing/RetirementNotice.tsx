import { useState } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import SwapHorizIcon from '@mui/icons-material/SwapHoriz';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  isModelServiceEntity,
  ModelServiceEntityV1alpha1,
  ServicePublication,
  SubscribeResponse,
  Subscription,
} from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import { formatDateTimeUtc } from '../../format';
import { RefLink } from '../shared/RefLink';
import { CredentialsPhase } from './CredentialsPhase';

const DAY_MS = 86_400_000;

/** "in 12 days", "in 5 hours", "today": how long until a time. */
export function timeUntil(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  if (ms <= 0) {
    return 'now';
  }
  if (ms >= DAY_MS) {
    const days = Math.floor(ms / DAY_MS);
    return `in ${days} day${days === 1 ? '' : 's'}`;
  }
  const hours = Math.max(1, Math.floor(ms / 3_600_000));
  return `in ${hours} hour${hours === 1 ? '' : 's'}`;
}

/**
 * For subscribers of a service its owners unpublished: when the gateway stops
 * serving it (with a countdown), its successor if one is named, and "Switch to
 * the successor": a subscription to it billed the same way and with the same
 * spending limit, with its new key shown once.
 */
export function RetirementNotice(props: {
  publication: ServicePublication;
  subscription: Subscription;
  onSwitched?: () => void;
}) {
  const { publication, subscription, onSwitched } = props;
  const api = useApi(marketplaceApiRef);
  const catalogApi = useApi(catalogApiRef);
  const toastApi = useApi(toastApiRef);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<{
    entity: ModelServiceEntityV1alpha1;
    response: SubscribeResponse;
  }>();
  const { sunsetAt, successor } = publication;
  if (!publication.unpublishedAt || !sunsetAt) {
    return null;
  }
  const retired = Date.parse(sunsetAt) <= Date.now();

  const switchToSuccessor = async () => {
    if (!successor) {
      return;
    }
    setBusy(true);
    try {
      const entity = await catalogApi.getEntityByRef(
        `modelservice:default/${successor}`,
      );
      if (!entity || !isModelServiceEntity(entity)) {
        throw new Error(`${successor} is not in the catalog`);
      }
      const response = await api.subscribe(successor, {
        teamRef: subscription.teamRef ?? undefined,
        spendCapMicros: subscription.spendCapMicros,
      });
      setIssued({ entity, response });
    } catch (e) {
      toastApi.post({
        title: `Could not switch to ${successor}: ${errorMessage(e)}`,
        status: 'danger',
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Alert
      severity={retired ? 'error' : 'warning'}
      role="status"
      data-testid="retirement-notice"
      action={
        successor ? (
          <Button
            color="inherit"
            variant="outlined"
            size="small"
            startIcon={
              busy ? (
                <CircularProgress size={16} color="inherit" />
              ) : (
                <SwapHorizIcon />
              )
            }
            disabled={busy}
            onClick={switchToSuccessor}
            sx={{ whiteSpace: 'nowrap' }}
          >
            Switch to {successor}
          </Button>
        ) : undefined
      }
    >
      <AlertTitle>
        {retired
          ? 'Retired: the gateway answers 410 Gone'
          : `Retiring ${timeUntil(sunsetAt)}`}
      </AlertTitle>
      Its provider unpublished it on{' '}
      {formatDateTimeUtc(publication.unpublishedAt)}.{' '}
      {retired
        ? `Since ${formatDateTimeUtc(sunsetAt)} your key gets 410 Gone.`
        : `Your subscription works until ${formatDateTimeUtc(
            sunsetAt,
          )}; then the gateway answers 410 Gone.`}{' '}
      {successor ? (
        <>
          Its successor is{' '}
          <RefLink
            entityRef={`modelservice:default/${successor}`}
            defaultKind="ModelService"
          />
          : switching subscribes you to it billed the same way, with the same
          spending limit, and gives you a new key.
        </>
      ) : (
        'Move to another model in the marketplace before then.'
      )}
      <Dialog
        open={!!issued}
        maxWidth="md"
        fullWidth
        scroll="paper"
        aria-labelledby="start-using-title"
      >
        {issued && (
          <CredentialsPhase
            entity={issued.entity}
            issued={issued.response}
            onDone={() => {
              setIssued(undefined);
              onSwitched?.();
            }}
          />
        )}
      </Dialog>
    </Alert>
  );
}
