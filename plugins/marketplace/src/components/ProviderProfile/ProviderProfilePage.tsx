import { useState } from 'react';
import { Route, Routes, useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useAsync from 'react-use/esm/useAsync';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Grid from '@mui/material/Grid';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import VerifiedIcon from '@mui/icons-material/Verified';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { ProviderProfile } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef, ProviderProfileResponse } from '../../api';
import {
  countryLabel,
  formatDate,
  formatInteger,
  formatTokenCount,
  regionLabel,
} from '../../format';
import { ChipList, VerificationChip } from '../shared/chips';
import { Field } from '../shared/Field';
import { ContactValue, ExternalLink } from '../shared/ExternalLink';
import { useToastedAction } from '../shared/useToastedAction';
import { ServiceCardGrid } from '../ServiceCards';
import { formatMs, formatUptime, NoData } from '../shared/measures';

/** The most characters of a verification note (as the API enforces it). */
const NOTE_MAX = 500;

function Stat(props: { label: string; value: string | null }) {
  return (
    <Box>
      <Typography variant="caption" color="text.secondary" component="div">
        {props.label}
      </Typography>
      <Typography variant="h6" component="div" aria-label={props.label}>
        {props.value ?? <NoData />}
      </Typography>
    </Box>
  );
}

function Verification(props: {
  profile: ProviderProfile;
  isAdmin: boolean;
  onChanged: () => void;
}) {
  const { profile, isAdmin } = props;
  const v = profile.verification;
  const api = useApi(marketplaceApiRef);
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const { busy, run } = useToastedAction(() => {
    setOpen(false);
    props.onChanged();
  });
  const name = profile.entity.metadata.name;
  const title = profile.entity.spec.displayName;
  const decide = (verified: boolean) =>
    run(
      () =>
        api.setProviderVerification(name, {
          verified,
          note: note.trim() || null,
        }),
      verified
        ? `${title} is verified`
        : `The verification of ${title} was withdrawn`,
      'Could not record the decision',
    );
  return (
    <Stack spacing={1} alignItems="flex-start">
      {v.verified ? (
        <Chip
          color="success"
          icon={<VerifiedIcon />}
          label={`Verified by the marketplace admins${
            v.decidedAt ? ` on ${formatDate(v.decidedAt)}` : ''
          }`}
        />
      ) : (
        <Chip variant="outlined" label="Not verified by the marketplace" />
      )}
      {v.verified && v.note && (
        <Typography variant="body2" color="text.secondary">
          “{v.note}”
        </Typography>
      )}
      <Stack direction="row" spacing={1} alignItems="center">
        <Typography variant="body2" color="text.secondary">
          The provider's own claim:
        </Typography>
        <VerificationChip verification={profile.entity.spec.verification} />
      </Stack>
      {isAdmin && (
        <>
          <Button variant="outlined" size="small" onClick={() => setOpen(true)}>
            {v.verified ? 'Withdraw verification' : 'Verify provider'}
          </Button>
          <Dialog
            open={open}
            onClose={busy ? undefined : () => setOpen(false)}
            aria-labelledby="verify-provider-title"
            maxWidth="sm"
            fullWidth
            TransitionProps={{ onExited: () => setNote('') }}
          >
            <DialogTitle id="verify-provider-title">
              {v.verified
                ? `Withdraw the verification of ${title}`
                : `Verify ${title}`}
            </DialogTitle>
            <DialogContent>
              <DialogContentText sx={{ mb: 2 }}>
                {v.verified
                  ? 'Its services lose the verified badge and leave the "Verified providers only" filter at once.'
                  : 'Its services get the verified badge and appear under "Verified providers only". Verify only after checking the provider (contract, security review).'}{' '}
                The decision is recorded in the audit log.
              </DialogContentText>
              <TextField
                label="Note (optional)"
                value={note}
                onChange={e => setNote(e.target.value)}
                multiline
                minRows={2}
                fullWidth
                error={note.trim().length > NOTE_MAX}
                helperText={
                  note.trim().length > NOTE_MAX
                    ? `At most ${NOTE_MAX} characters (${
                        note.trim().length
                      } now)`
                    : 'Shown on this page and kept in the audit log'
                }
              />
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setOpen(false)} disabled={busy}>
                Cancel
              </Button>
              <Button
                variant="contained"
                color={v.verified ? 'warning' : 'primary'}
                disabled={busy || note.trim().length > NOTE_MAX}
                onClick={() => decide(!v.verified)}
              >
                {v.verified ? 'Withdraw verification' : 'Verify'}
              </Button>
            </DialogActions>
          </Dialog>
        </>
      )}
    </Stack>
  );
}

function QualityCard(props: { profile: ProviderProfile }) {
  const q = props.profile.quality;
  return (
    <InfoCard
      title="Measured quality"
      subheader={`Across its ${formatInteger(q.services)} live service${
        q.services === 1 ? '' : 's'
      } over the last 30 days, from the marketplace's probes and gateway traffic`}
    >
      <Box
        sx={{
          display: 'grid',
          gridTemplateColumns: 'repeat(auto-fill, minmax(170px, 1fr))',
          gap: 2,
        }}
      >
        <Stat
          label="Uptime"
          value={formatUptime(q.uptimePercent, q.uptimeDays)}
        />
        <Stat label="First token p95" value={formatMs(q.latencyP95Ms)} />
        <Stat
          label="Output tokens/s p50"
          value={
            q.tokensPerSecondP50 === null
              ? null
              : formatInteger(q.tokensPerSecondP50)
          }
        />
        <Stat label="Requests (30d)" value={formatInteger(q.requests30d)} />
        <Stat
          label="Active users (30d)"
          value={formatInteger(q.activeUsers30d)}
        />
        <Stat label="Tokens served" value={formatTokenCount(q.totalTokens)} />
        <Stat
          label="Rating"
          value={
            q.rating === null
              ? null
              : `${q.rating.toLocaleString('en-US', {
                  maximumFractionDigits: 1,
                })} / 5 (${formatInteger(q.reviewCount)} review${
                  q.reviewCount === 1 ? '' : 's'
                })`
          }
        />
      </Box>
    </InfoCard>
  );
}

function DetailsCard(props: { profile: ProviderProfile }) {
  const { spec, metadata } = props.profile.entity;
  const hq = spec.headquarters;
  return (
    <InfoCard title="Provider">
      <Stack spacing={2}>
        {metadata.description && (
          <Typography variant="body2">{metadata.description}</Typography>
        )}
        <Field label="Headquarters">
          {[hq.city, countryLabel(hq.country)].filter(Boolean).join(', ')}
          <Typography variant="body2" color="text.secondary">
            {regionLabel(hq.region)}
          </Typography>
        </Field>
        <Field label="Compliance (declared)">
          <ChipList
            items={spec.compliance}
            color="info"
            emptyText="None declared"
          />
        </Field>
        <Field label="Contact e-mail">
          <Link href={`mailto:${spec.contact.email}`}>
            {spec.contact.email}
          </Link>
        </Field>
        {spec.contact.url && (
          <Field label="Contact page">
            <ExternalLink href={spec.contact.url} />
          </Field>
        )}
        {spec.contact.chat && (
          <Field label="Chat">
            <ContactValue value={spec.contact.chat} />
          </Field>
        )}
        {spec.website && (
          <Field label="Website">
            <ExternalLink href={spec.website} />
          </Field>
        )}
        <Field label="Catalog entity">
          <Link
            href={`/catalog/${encodeURIComponent(
              metadata.namespace ?? 'default',
            )}/provider/${encodeURIComponent(metadata.name)}`}
          >
            {props.profile.ref}
          </Link>
        </Field>
      </Stack>
    </InfoCard>
  );
}

export function ProviderProfileView(props: {
  response: ProviderProfileResponse;
  isAdmin: boolean;
  onChanged: () => void;
}) {
  const { provider, services } = props.response;
  return (
    <Stack spacing={3}>
      <Box>
        <Typography variant="h4" component="h1" gutterBottom>
          {provider.entity.spec.displayName}
        </Typography>
        <Verification
          profile={provider}
          isAdmin={props.isAdmin}
          onChanged={props.onChanged}
        />
      </Box>
      {/* In a Box: the Stack's spacing would reset the Grid's negative margins. */}
      <Box>
        <Grid container spacing={3}>
          <Grid item xs={12} lg={7}>
            <QualityCard profile={provider} />
          </Grid>
          <Grid item xs={12} lg={5}>
            <DetailsCard profile={provider} />
          </Grid>
        </Grid>
      </Box>
      <Box component="section" aria-label="Live services">
        <Typography variant="h5" component="h2" gutterBottom>
          Live services
        </Typography>
        {services.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            No live services yet.
          </Typography>
        ) : (
          <ServiceCardGrid items={services} entities={new Map()} />
        )}
      </Box>
    </Stack>
  );
}

function ProviderProfileRoute() {
  const { id = '' } = useParams();
  const api = useApi(marketplaceApiRef);
  const me = useAsync(() => api.getMe(), [api]);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getProviderProfile(id),
    [api, id],
  );
  if (loading && !value) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  if (!value) {
    return null;
  }
  return (
    <ProviderProfileView
      response={value}
      isAdmin={me.value?.role === 'admin'}
      onChanged={retry}
    />
  );
}

/** `/marketplace/providers/:id`: a provider's profile. */
export function ProviderProfilePage() {
  return (
    <Box sx={{ p: 3 }}>
      <Routes>
        <Route path="/:id" element={<ProviderProfileRoute />} />
        <Route
          path="*"
          element={
            <EmptyState
              missing="content"
              title="Choose a provider"
              description="Open a provider from a service card or a Provider entity page."
            />
          }
        />
      </Routes>
    </Box>
  );
}
