import { memo, ReactNode, startTransition, useEffect, useState } from 'react';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import VerifiedIcon from '@mui/icons-material/Verified';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  BLENDED_PRICE_MIX_LABEL,
  formatMicros,
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { ServiceCard } from '../../api';
import {
  familyLabel,
  FEATURE_LABELS,
  formatDate,
  formatInteger,
  formatPercent,
  formatTokenCount,
  INPUT_ONLY_LABEL,
  isInputOnly,
} from '../../format';
import { Field } from '../shared/Field';
import { StartUsingButton } from '../StartUsing';
import { subscriptionsRouteRef } from '../../routes';
import { dataTableSx, tableContainerSx } from '../shared/tables';
import { formatDays } from '../Quality/formatDays';

/** Shown for a metric nothing was measured for yet; never a made-up number. */
export const NO_DATA = 'no data yet';

const MAX_FEATURE_CHIPS = 4;

/** The entity page of a service: `/catalog/<namespace>/modelservice/<name>`. */
export function useEntityPath(): (card: ServiceCard) => string {
  const entityRoute = useRouteRef(entityRouteRef);
  return card => {
    let namespace = 'default';
    try {
      namespace = parseEntityRef(card.ref).namespace;
    } catch {
      // keep the default namespace
    }
    const params = {
      namespace,
      kind: MODEL_SERVICE_KIND.toLocaleLowerCase('en-US'),
      name: card.name,
    };
    return entityRoute
      ? entityRoute(params)
      : `/catalog/${params.namespace}/${params.kind}/${params.name}`;
  };
}

export function formatRating(card: ServiceCard): string {
  const { rating, reviewCount } = card.metrics;
  if (rating === null) {
    return NO_DATA;
  }
  const reviews =
    reviewCount === null
      ? ''
      : ` (${formatInteger(reviewCount)} review${
          reviewCount === 1 ? '' : 's'
        })`;
  return `${rating.toLocaleString('en-US', {
    maximumFractionDigits: 1,
  })} / 5${reviews}`;
}

/** "99.2% (3 days)": uptime with the days of data behind it. */
export function formatUptime(card: ServiceCard): string {
  const { uptimePercent, uptimeDays } = card.metrics;
  if (uptimePercent === null) {
    return NO_DATA;
  }
  return uptimeDays === null
    ? formatPercent(uptimePercent)
    : `${formatPercent(uptimePercent)} (${formatDays(uptimeDays)})`;
}

/** p95 time to first token. */
export function formatLatency(card: ServiceCard): string {
  return card.metrics.latencyP95Ms === null
    ? NO_DATA
    : `${formatInteger(Math.round(card.metrics.latencyP95Ms))} ms`;
}

export function formatThroughput(card: ServiceCard): string {
  return card.metrics.tokensPerSecond === null
    ? NO_DATA
    : `${formatInteger(Math.round(card.metrics.tokensPerSecond))} tokens/s`;
}

/** The provider's profile page in the portal. */
export function providerProfilePath(providerRef: string): string {
  let name = providerRef;
  try {
    name = parseEntityRef(providerRef, { defaultKind: 'provider' }).name;
  } catch {
    // keep the ref as it is
  }
  return `/marketplace/providers/${encodeURIComponent(name)}`;
}

function ProviderName(props: { card: ServiceCard; link?: boolean }) {
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

function FeatureChips(props: { card: ServiceCard }) {
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
function TrialChip(props: { card: ServiceCard }) {
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
function ServiceActions(props: {
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

export type ServiceResultsProps = {
  items: ServiceCard[];
  /** The catalog entities of the items, by entity ref (for Start Using). */
  entities: ReadonlyMap<string, ModelServiceEntityV1alpha1>;
  /** Refs of the services the user has an active subscription to. */
  subscribed?: ReadonlySet<string>;
  /** Called after the Start Using dialog closes (to refresh the state). */
  onSubscribed?: () => void;
};

/**
 * The body of a card: everything but its actions. Memoized, so the catalog
 * entities and subscriptions arriving after the page (which change only the
 * actions) do not render every card again.
 */
const ServiceCardBody = memo(function CardBody(props: {
  card: ServiceCard;
  path?: string;
}) {
  const { card, path } = props;
  return (
    <CardContent sx={{ flexGrow: 1 }}>
      <Typography variant="h6" component="h3">
        {path ? <Link to={path}>{card.title}</Link> : card.title}
      </Typography>
      <Typography
        variant="body2"
        color="text.secondary"
        component="div"
        gutterBottom
      >
        <ProviderName card={card} link={!!path} />
      </Typography>
      <Grid container spacing={1} sx={{ my: 1 }}>
        <Grid item xs={6}>
          <Field label="Family">{familyLabel(card.family)}</Field>
        </Grid>
        <Grid item xs={6}>
          <Field label="Context window">
            {formatTokenCount(card.contextWindow)}
          </Field>
        </Grid>
        <Grid item xs={6}>
          <Field label="Prompt / 1K">
            {formatMicros(card.pricing.promptPer1kMicros)}
          </Field>
        </Grid>
        <Grid item xs={6}>
          <Field label="Completion / 1K">
            {isInputOnly(card.features)
              ? INPUT_ONLY_LABEL
              : formatMicros(card.pricing.completionPer1kMicros)}
          </Field>
        </Grid>
        <Grid item xs={6}>
          <Field label={`Blended / 1K (${BLENDED_PRICE_MIX_LABEL})`}>
            {formatMicros(card.blendedPer1kMicros)}
          </Field>
        </Grid>
        <Grid item xs={6}>
          <Field label="Rating">{formatRating(card)}</Field>
        </Grid>
        <Grid item xs={6}>
          <Field label="Uptime">{formatUptime(card)}</Field>
        </Grid>
        <Grid item xs={6}>
          <Field label="First token p95">{formatLatency(card)}</Field>
        </Grid>
        <Grid item xs={6}>
          <Field label="Output speed p50">{formatThroughput(card)}</Field>
        </Grid>
        <Grid item xs={6}>
          <Field label="Requests (30d)">
            {formatInteger(card.metrics.requests30d)}
          </Field>
        </Grid>
        <Grid item xs={6}>
          <Field label="Active users (30d)">
            {formatInteger(card.metrics.activeUsers30d)}
          </Field>
        </Grid>
        <Grid item xs={6}>
          <Field label="Tokens served">
            {formatTokenCount(card.metrics.tokensTotal)}
          </Field>
        </Grid>
        {card.createdAt && (
          <Grid item xs={6}>
            <Field label="Listed since">{formatDate(card.createdAt)}</Field>
          </Grid>
        )}
      </Grid>
      <Stack spacing={1} alignItems="flex-start">
        <TrialChip card={card} />
        <FeatureChips card={card} />
      </Stack>
    </CardContent>
  );
});

/**
 * One service as browse shows it. The publish template's Review & publish step
 * renders the same card for the service being published.
 */
export function ServiceCardView(props: {
  card: ServiceCard;
  /** The entity page; the title is plain text without it (a preview). */
  path?: string;
  actions: ReactNode;
}) {
  const { card, path, actions } = props;
  return (
    <Card
      variant="outlined"
      sx={{ height: '100%', display: 'flex', flexDirection: 'column' }}
      aria-label={card.title}
      data-testid="service-card"
    >
      <ServiceCardBody card={card} path={path} />
      <CardActions sx={{ justifyContent: 'space-between', px: 2 }}>
        {actions}
      </CardActions>
    </Card>
  );
}

/** One card of the grid; renders again only when its own inputs change. */
const ServiceGridItem = memo(function GridItem(props: {
  card: ServiceCard;
  path: string;
  entity?: ModelServiceEntityV1alpha1;
  subscribed: boolean;
  onSubscribed?: () => void;
}) {
  const { card, path, entity, subscribed, onSubscribed } = props;
  return (
    <Grid item xs={12} md={6} xl={4} component="li">
      <ServiceCardView
        card={card}
        path={path}
        actions={
          <ServiceActions
            card={card}
            path={path}
            entity={entity}
            subscribed={subscribed}
            onSubscribed={onSubscribed}
          />
        }
      />
    </Grid>
  );
});

/**
 * How many cards the grid renders in its first frame: the ones above the fold
 * at common window sizes. The rest follow at once as a transition, so the first
 * cards are on screen before the whole page of them has been rendered.
 */
export const FIRST_FRAME_CARDS = 6;

export function ServiceCardGrid(props: ServiceResultsProps) {
  const { items, entities, subscribed, onSubscribed } = props;
  const entityPath = useEntityPath();
  const [shown, setShown] = useState(FIRST_FRAME_CARDS);
  useEffect(() => {
    if (items.length <= shown) {
      return undefined;
    }
    const timer = setTimeout(() =>
      startTransition(() => setShown(items.length)),
    );
    return () => clearTimeout(timer);
  }, [items.length, shown]);
  return (
    <Grid container spacing={2} component="ul" sx={{ listStyle: 'none', p: 0 }}>
      {items.slice(0, shown).map(card => (
        <ServiceGridItem
          key={card.ref}
          card={card}
          path={entityPath(card)}
          entity={entities.get(card.ref)}
          subscribed={subscribed?.has(card.ref) ?? false}
          onSubscribed={onSubscribed}
        />
      ))}
    </Grid>
  );
}

export function ServiceTable(props: ServiceResultsProps) {
  const { items } = props;
  const entityPath = useEntityPath();
  return (
    <TableContainer sx={tableContainerSx}>
      <Table size="small" sx={dataTableSx} aria-label="Model services">
        <TableHead>
          <TableRow>
            <TableCell>Service</TableCell>
            <TableCell>Family</TableCell>
            <TableCell align="right">Context</TableCell>
            <TableCell align="right">
              Price / 1K
              <br />
              prompt · completion
            </TableCell>
            <TableCell align="right">
              Blended / 1K
              <br />({BLENDED_PRICE_MIX_LABEL})
            </TableCell>
            <TableCell>Features</TableCell>
            <TableCell align="right">Rating</TableCell>
            <TableCell align="right">Uptime</TableCell>
            <TableCell align="right">
              First token
              <br />
              p95
            </TableCell>
            <TableCell align="right">
              Output
              <br />
              p50
            </TableCell>
            <TableCell align="right">
              Requests
              <br />
              (30d)
            </TableCell>
            <TableCell>Actions</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map(card => {
            const path = entityPath(card);
            return (
              <TableRow key={card.ref}>
                <TableCell sx={{ minWidth: 180 }}>
                  <Link to={path}>{card.title}</Link>
                  <Typography
                    variant="body2"
                    color="text.secondary"
                    component="div"
                  >
                    <ProviderName card={card} />
                  </Typography>
                </TableCell>
                <TableCell className="nowrap">
                  {familyLabel(card.family)}
                </TableCell>
                <TableCell align="right">
                  {formatTokenCount(card.contextWindow)}
                </TableCell>
                <TableCell align="right">
                  {formatMicros(card.pricing.promptPer1kMicros)}
                  {' · '}
                  {isInputOnly(card.features)
                    ? INPUT_ONLY_LABEL
                    : formatMicros(card.pricing.completionPer1kMicros)}
                </TableCell>
                <TableCell align="right">
                  {formatMicros(card.blendedPer1kMicros)}
                </TableCell>
                <TableCell sx={{ minWidth: 210 }}>
                  <Stack spacing={0.5} alignItems="flex-start">
                    <TrialChip card={card} />
                    <FeatureChips card={card} />
                  </Stack>
                </TableCell>
                <TableCell align="right">{formatRating(card)}</TableCell>
                <TableCell align="right">{formatUptime(card)}</TableCell>
                <TableCell align="right">{formatLatency(card)}</TableCell>
                <TableCell align="right">{formatThroughput(card)}</TableCell>
                <TableCell align="right">
                  {formatInteger(card.metrics.requests30d)}
                </TableCell>
                <TableCell className="nowrap">
                  <Stack direction="row" spacing={1} alignItems="center">
                    <ServiceActions
                      card={card}
                      path={path}
                      entity={props.entities.get(card.ref)}
                      subscribed={props.subscribed?.has(card.ref) ?? false}
                      onSubscribed={props.onSubscribed}
                    />
                  </Stack>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
