import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import VerifiedIcon from '@mui/icons-material/Verified';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import {
  isProviderEntity,
  ProviderEntityV1alpha1,
  ProviderSpec,
} from '@internal/plugin-marketplace-common';
import { countryLabel, formatDate, regionLabel } from '../../format';
import { Field } from '../shared/Field';
import { ChipList } from '../shared/chips';
import { RefLink } from '../shared/RefLink';
import { ContactValue, ExternalLink } from '../shared/ExternalLink';

const CARD_TITLE = 'Provider';

export function VerificationChip(props: {
  verification: ProviderSpec['verification'] | undefined;
}) {
  const { verification } = props;
  if (!verification) {
    return null;
  }
  switch (verification.status) {
    case 'verified':
      return (
        <Chip
          size="small"
          color="success"
          icon={<VerifiedIcon />}
          label={
            verification.verifiedAt
              ? `Verified on ${formatDate(verification.verifiedAt)}`
              : 'Verified'
          }
        />
      );
    case 'pending':
      return (
        <Chip
          size="small"
          color="warning"
          variant="outlined"
          label="Verification pending"
        />
      );
    default:
      return (
        <Chip
          size="small"
          variant="outlined"
          label={
            verification.status === 'unverified'
              ? 'Unverified'
              : verification.status
          }
        />
      );
  }
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
          <VerificationChip verification={spec.verification} />
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
