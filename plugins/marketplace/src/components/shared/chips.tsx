import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import CheckIcon from '@mui/icons-material/Check';
import CloseIcon from '@mui/icons-material/Close';
import {
  MODEL_FEATURES,
  ModelServiceFeatures,
  ProviderSpec,
} from '@internal/plugin-marketplace-common';
import { FEATURE_LABELS, formatDate } from '../../format';

type ChipColor = 'default' | 'success' | 'warning' | 'error' | 'info';

const LIFECYCLE_COLORS: Record<string, ChipColor> = {
  active: 'success',
  maintenance: 'warning',
  deprecated: 'error',
};

export function LifecycleChip(props: { lifecycle: string | undefined }) {
  const { lifecycle } = props;
  if (!lifecycle) {
    return null;
  }
  return (
    <Chip
      size="small"
      label={lifecycle}
      color={LIFECYCLE_COLORS[lifecycle] ?? 'default'}
      variant="outlined"
    />
  );
}

/** A wrapping row of small chips; renders nothing for an empty list. */
export function ChipList(props: {
  items: readonly string[] | undefined;
  color?: ChipColor;
  variant?: 'filled' | 'outlined';
  emptyText?: string;
}) {
  const { items, color = 'default', variant = 'outlined', emptyText } = props;
  if (!items || items.length === 0) {
    return emptyText ? <>{emptyText}</> : null;
  }
  return (
    <Stack direction="row" flexWrap="wrap" useFlexGap gap={0.5}>
      {items.map(item => (
        <Chip
          key={item}
          size="small"
          label={item}
          color={color}
          variant={variant}
        />
      ))}
    </Stack>
  );
}

/**
 * All five model features as chips: enabled ones filled with a check mark,
 * the others outlined with a cross.
 */
export function FeatureChips(props: { features: ModelServiceFeatures }) {
  const { features } = props;
  return (
    <Stack direction="row" flexWrap="wrap" useFlexGap gap={0.5}>
      {MODEL_FEATURES.map(feature => {
        const on = features?.[feature] === true;
        const label = FEATURE_LABELS[feature];
        return (
          <Chip
            key={feature}
            size="small"
            label={label}
            icon={on ? <CheckIcon /> : <CloseIcon />}
            color={on ? 'primary' : 'default'}
            variant={on ? 'filled' : 'outlined'}
            aria-label={`${label}: ${on ? 'supported' : 'not supported'}`}
            data-feature={feature}
            data-enabled={on}
            sx={on ? undefined : { opacity: 0.7 }}
          />
        );
      })}
    </Stack>
  );
}

/**
 * What the Provider entity declares about its verification: only the
 * provider's claim, never shown as a verification (the admins decide that).
 */
export function VerificationChip(props: {
  verification: ProviderSpec['verification'] | undefined;
}) {
  const { verification } = props;
  if (!verification) {
    return null;
  }
  let label = `Claims: ${verification.status}`;
  if (verification.status === 'verified') {
    label = verification.verifiedAt
      ? `Claims verified on ${formatDate(verification.verifiedAt)}`
      : 'Claims verified';
  } else if (verification.status === 'pending') {
    label = 'Claims verification pending';
  }
  return <Chip size="small" variant="outlined" label={label} />;
}
