import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import VerifiedIcon from '@mui/icons-material/Verified';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import { ServiceCard } from '../../api';
import { FEATURE_LABELS, formatTokenCount } from '../../format';
import { StartUsingButton } from '../StartUsing';
import { subscriptionsRouteRef } from '../../routes';
import { providerProfilePath } from '../shared/entityPaths';

/* The pieces a service's card and its table row share. */

const MAX_FEATURE_CHIPS = 4;

export function ProviderName(props: { card: ServiceCard; link?: boolean }) {
  const { provider } = props.card;
  return (
    <Box
      component="span"
      sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5 }}
    >
      {props.link === false ? (
        provider.name
      ) : (
        <Link
          to={providerProfilePath(provider.ref)}
          aria-label={`Provider ${provider.name}`}
        >
          {provider.name}
        </Link>
      )}
      {provider.verified && (
        <Tooltip title="Verified by the marketplace admins">
          <VerifiedIcon
            color="primary"
            fontSize="inherit"
            titleAccess="Verified by the marketplace admins"
          />
        </Tooltip>
      )}
    </Box>
  );
}

export function FeatureChips(props: { card: ServiceCard }) {
  const features = props.card.features.slice(0, MAX_FEATURE_CHIPS);
  if (!features.length) {
    return null;
  }
  return (
    <Stack direction="row" spacing={0.5} useFlexGap flexWrap="wrap">
      {features.map(f => (
        <Chip key={f} size="small" label={FEATURE_LABELS[f] ?? f} />
      ))}
    </Stack>
  );
}

/** "Free trial: 500K tokens" when the service offers one. */
export function TrialChip(props: { card: ServiceCard }) {
  const tokens = props.card.trial?.tokens ?? 0;
  if (tokens <= 0) {
    return null;
  }
  return (
    <Chip
      size="small"
      color="success"
      variant="outlined"
      label={`Free trial: ${formatTokenCount(tokens)} tokens`}
    />
  );
}

function StartUsing(props: {
  entity?: ModelServiceEntityV1alpha1;
  subscribed: boolean;
  onSubscribed?: () => void;
  size?: 'small' | 'medium';
}) {
  const subscriptionsLink = useRouteRef(subscriptionsRouteRef);
  if (props.subscribed) {
    return (
      <Chip
        size="small"
        color="success"
        variant="outlined"
        icon={<CheckCircleIcon />}
        label="Subscribed"
        component="a"
        href={subscriptionsLink?.() ?? '/marketplace/subscriptions'}
        clickable
      />
    );
  }
  if (!props.entity) {
    return null;
  }
  return (
    <StartUsingButton
      entity={props.entity}
      size={props.size ?? 'small'}
      onClosed={props.onSubscribed}
    />
  );
}

/** "Details" and Start Using (or "Subscribed") for one service, in both views. */
export function ServiceActions(props: {
  card: ServiceCard;
  path: string;
  entity?: ModelServiceEntityV1alpha1;
  subscribed: boolean;
  onSubscribed?: () => void;
}) {
  const { card, path, entity, subscribed, onSubscribed } = props;
  return (
    <>
      <Link to={path} aria-label={`Details of ${card.title}`}>
        Details
      </Link>
      <StartUsing
        entity={entity}
        subscribed={subscribed}
        onSubscribed={onSubscribed}
      />
    </>
  );
}
