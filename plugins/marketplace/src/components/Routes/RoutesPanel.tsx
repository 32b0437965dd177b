import { useState } from 'react';
import Accordion from '@mui/material/Accordion';
import AccordionDetails from '@mui/material/AccordionDetails';
import AccordionSummary from '@mui/material/AccordionSummary';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import AltRouteIcon from '@mui/icons-material/AltRoute';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/frontend-plugin-api';
import { marketplaceApiRef, RouteListItem } from '../../api';
import { RouteMembersTable } from './RouteMembersTable';
import { RouteStartUsingDialog } from './RouteStartUsingDialog';

function RouteRow(props: { route: RouteListItem; onChanged: () => void }) {
  const { route, onChanged } = props;
  const [open, setOpen] = useState(false);
  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="route">
      <Stack
        direction="row"
        spacing={2}
        alignItems="center"
        justifyContent="space-between"
        useFlexGap
        flexWrap="wrap"
      >
        <Stack spacing={0.5}>
          <Stack direction="row" spacing={1} alignItems="center">
            <Typography variant="subtitle1" component="h3">
              <code>{route.name}</code>
            </Typography>
            <Chip size="small" label={`policy: ${route.policy}`} />
            <Chip
              size="small"
              variant="outlined"
              label={route.source === 'derived' ? 'from base model' : 'curated'}
            />
          </Stack>
          <Typography variant="body2" color="text.secondary">
            {route.title} · {route.members.length} services
            {route.description ? ` · ${route.description}` : ''}
          </Typography>
        </Stack>
        {route.subscribed ? (
          <Chip color="success" label="Subscribed" />
        ) : (
          <Button
            variant="contained"
            startIcon={<AltRouteIcon />}
            onClick={() => setOpen(true)}
            aria-label={`Start Using route ${route.name}`}
            disabled={route.members.length === 0}
          >
            Start Using
          </Button>
        )}
      </Stack>
      <RouteMembersTable route={route} />
      <RouteStartUsingDialog
        route={route}
        open={open}
        onClose={() => setOpen(false)}
        onSubscribed={onChanged}
      />
    </Paper>
  );
}

/**
 * The routes on the browse page: one model name in front of several services
 * of one base model, with their members best first right now.
 */
export function RoutesPanel() {
  const api = useApi(marketplaceApiRef);
  const routes = useAsyncRetry(() => api.listRoutes(), [api]);
  if (!routes.value?.length) {
    return null;
  }
  return (
    <Accordion
      disableGutters
      variant="outlined"
      sx={{ mb: 2 }}
      defaultExpanded={false}
    >
      <AccordionSummary
        expandIcon={<ExpandMoreIcon />}
        aria-controls="marketplace-routes"
        id="marketplace-routes-header"
      >
        <Stack direction="row" spacing={1} alignItems="center">
          <AltRouteIcon fontSize="small" />
          <Typography>
            {`Routes (${routes.value.length}): one model name, several providers, with fallback`}
          </Typography>
        </Stack>
      </AccordionSummary>
      <AccordionDetails id="marketplace-routes">
        <Stack spacing={2}>
          {routes.value.map(r => (
            <RouteRow key={r.name} route={r} onChanged={routes.retry} />
          ))}
        </Stack>
      </AccordionDetails>
    </Accordion>
  );
}
