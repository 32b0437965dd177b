import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import VerifiedIcon from '@mui/icons-material/Verified';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import {
  isProviderEntity,
  ProviderEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { countryLabel, formatDate, regionLabel } from '../../format';
import { Field } from '../shared/Field';
import { ChipList, VerificationChip } from '../shared/chips';
import { RefLink } from '../shared/RefLink';
import { ContactValue, ExternalLink } from '../shared/ExternalLink';

const CARD_TITLE = 'Provider';

/** The admins' decision, from the marketplace (the claim does not count). */
export function VerificationDecision(props: { providerName: string }) {
  const api = useApi(marketplaceApiRef);
  const { value, error, loading } = useAsync(
    () => api.getProviderProfile(props.providerName),
    [api, props.providerName],
  );
  if (loading) {
    return (
      <Typography variant="body2" color="text.secondary">
        Loading…
      </Typography>
    );
  }
  if (error || !value) {
    return (
      <Typography variant="body2" color="text.secondary">
        Unavailable
      </Typography>
    );
  }
  const v = value.provider.verification;
  return v.verified ? (
    <Chip
      size="small"
      color="success"
      icon={<VerifiedIcon />}
      label={`Verified by the marketplace admins${
        v.decidedAt ? ` on ${formatDate(v.decidedAt)}` : ''
      }`}
    />
  ) : (
    <Chip
      size="small"
      variant="outlined"
      label="Not verified by the marketplace"
    />
  );
}

/** Entity card with the details of a Provider entity. */
export function ProviderDetailsCard() {
  const { entity } = useEntity();
  if (!isProviderEntity(entity)) {
    return (
      <EntityInfoCard title={CARD_TITLE}>
        <Typography variant="body2">This entity is not a Provider.</Typography>
      </EntityInfoCard>
    );
  }
  return <ProviderDetails entity={entity} />;
}

export function ProviderDetails(props: { entity: ProviderEntityV1alpha1 }) {
  const { entity } = props;
  const spec = entity.spec;
  const hq = spec.headquarters;
  const hqText = hq
    ? [hq.city, countryLabel(hq.country)].filter(Boolean).join(', ')
    : '';
  return (
    <EntityInfoCard title={CARD_TITLE}>
      <Stack spacing={2}>
        <Field label="Display name">{spec.displayName}</Field>
        <Field label="Verification">
          <VerificationDecision providerName={entity.metadata.name} />
        </Field>
        <Field label="The provider's claim">
          <VerificationChip verification={spec.verification} />
        </Field>
        <Field label="Marketplace profile">
          <Link
            href={`/marketplace/providers/${encodeURIComponent(
              entity.metadata.name,
            )}`}
          >
            Services, measured quality and usage
          </Link>
        </Field>
        <Field label="Headquarters">
          {hq && (
            <>
              {hqText}
              <Typography variant="body2" color="text.secondary">
                {regionLabel(hq.region)}
              </Typography>
            </>
          )}
        </Field>
        <Field label="Compliance">
          <ChipList
            items={spec.compliance}
            color="info"
            emptyText="None declared"
          />
        </Field>
        <Field label="Contact e-mail">
          {spec.contact?.email && (
            <Link href={`mailto:${spec.contact.email}`}>
              {spec.contact.email}
            </Link>
          )}
        </Field>
        <Field label="Contact page">
          {spec.contact?.url && <ExternalLink href={spec.contact.url} />}
        </Field>
        <Field label="Chat">
          {spec.contact?.chat && <ContactValue value={spec.contact.chat} />}
        </Field>
        <Field label="Website">
          {spec.website && <ExternalLink href={spec.website} />}
        </Field>
        <Field label="Owner">
          <RefLink
            entityRef={spec.owner}
            defaultKind="Group"
            defaultNamespace={entity.metadata.namespace}
          />
        </Field>
      </Stack>
    </EntityInfoCard>
  );
}
