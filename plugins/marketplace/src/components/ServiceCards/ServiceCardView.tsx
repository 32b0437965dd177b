import { memo, ReactNode } from 'react';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import Grid from '@mui/material/Grid';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link } from '@backstage/core-components';
import {
  BLENDED_PRICE_MIX_LABEL,
  formatMicros,
} from '@internal/plugin-marketplace-common';
import { ServiceCard } from '../../api';
import {
  familyLabel,
  formatDate,
  formatInteger,
  formatTokenCount,
  INPUT_ONLY_LABEL,
  isInputOnly,
} from '../../format';
import { Field } from '../shared/Field';
import {
  formatLatency,
  formatRating,
  formatThroughput,
  formatUptime,
} from './serviceFigures';
import { FeatureChips, ProviderName, TrialChip } from './ServiceCardParts';

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
