import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { Link } from '@backstage/core-components';
import {
  BLENDED_PRICE_MIX_LABEL,
  formatMicros,
} from '@internal/plugin-marketplace-common';
import {
  familyLabel,
  formatInteger,
  formatTokenCount,
  INPUT_ONLY_LABEL,
  isInputOnly,
} from '../../format';
import { dataTableSx, tableContainerSx } from '../shared/tables';
import { useEntityPath } from '../shared/entityPaths';
import {
  formatLatency,
  formatRating,
  formatThroughput,
  formatUptime,
} from './serviceFigures';
import {
  FeatureChips,
  ProviderName,
  ServiceActions,
  TrialChip,
} from './ServiceCardParts';
import { ServiceResultsProps } from './ServiceCardGrid';

/** The services as rows of a table: browse's table view. */
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
