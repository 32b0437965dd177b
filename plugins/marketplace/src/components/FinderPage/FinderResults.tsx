import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { Link } from '@backstage/core-components';
import { RecommendationsResponse } from '../../api';
import { formatTokenCount, regionLabel } from '../../format';
import { Money } from '../shared/Money';
import { useEntityPath } from '../shared/entityPaths';
import { MAX_COMPARED } from './finderParams';
import { MeasuredSummary, rating } from './measuredFigures';

/** The services that meet every need, cheapest first, to compare and choose. */
export function Matches(props: {
  response: RecommendationsResponse;
  compared: string[];
  chosen: string | undefined;
  onCompare: (names: string[]) => void;
  onChoose: (name: string) => void;
}) {
  const { response, compared, chosen, onCompare, onChoose } = props;
  const entityPath = useEntityPath();
  if (response.matches.length === 0) {
    return (
      <Paper variant="outlined" sx={{ p: 2 }}>
        <Typography role="status">
          No service meets every need. The list below says what each one misses:
          loosen the need that excludes most of them.
        </Typography>
      </Paper>
    );
  }
  return (
    <Paper variant="outlined">
      <TableContainer>
        <Table
          size="small"
          aria-label="Services that meet your needs"
          sx={{ '& th, & td': { whiteSpace: 'nowrap' } }}
        >
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox">Compare</TableCell>
              <TableCell>Service</TableCell>
              <TableCell align="right">Per month</TableCell>
              <TableCell align="right">Blended / 1K</TableCell>
              <TableCell>Measured</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {response.matches.map(m => {
              const { service } = m;
              const isCompared = compared.includes(service.name);
              return (
                <TableRow
                  key={service.name}
                  data-testid="finder-match"
                  selected={chosen === service.name}
                >
                  <TableCell padding="checkbox">
                    <Checkbox
                      size="small"
                      checked={isCompared}
                      disabled={!isCompared && compared.length >= MAX_COMPARED}
                      inputProps={{
                        'aria-label': `Compare ${service.title}`,
                      }}
                      onChange={(_e, checked) =>
                        onCompare(
                          checked
                            ? [...compared, service.name]
                            : compared.filter(n => n !== service.name),
                        )
                      }
                    />
                  </TableCell>
                  <TableCell
                    sx={{ whiteSpace: 'normal !important', minWidth: 180 }}
                  >
                    <Link to={entityPath(service)}>{service.title}</Link>
                    <Typography variant="caption" display="block">
                      {service.provider.name} · {regionLabel(service.region)} ·{' '}
                      {formatTokenCount(service.contextWindow)} context ·{' '}
                      {service.metrics.rating === null
                        ? 'no rating yet'
                        : `rated ${rating(service)}`}
                    </Typography>
                  </TableCell>
                  <TableCell align="right" data-testid="expected-cost">
                    <Money micros={m.expectedMonthlyCostMicros} />
                  </TableCell>
                  <TableCell align="right">
                    <Money micros={m.blendedPer1kMicros} />
                  </TableCell>
                  <TableCell>
                    <MeasuredSummary card={service} />
                  </TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      variant={chosen === service.name ? 'contained' : 'text'}
                      aria-label={`Choose ${service.title}`}
                      onClick={() => onChoose(service.name)}
                    >
                      Choose
                    </Button>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>
    </Paper>
  );
}

/** The services that miss a need, with every need they miss. */
export function Excluded(props: { response: RecommendationsResponse }) {
  const { excluded } = props.response;
  const entityPath = useEntityPath();
  if (excluded.length === 0) {
    return null;
  }
  return (
    <Box component="section" aria-labelledby="finder-excluded" sx={{ mt: 3 }}>
      <Typography variant="h6" component="h2" id="finder-excluded">
        {`Excluded (${excluded.length})`}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        Every need a service misses. Measured needs (time to first token,
        uptime) exclude services we have not measured yet.
      </Typography>
      <Paper variant="outlined">
        <Table size="small" aria-label="Excluded services">
          <TableBody>
            {excluded.map(x => (
              <TableRow key={x.service.name} data-testid="finder-excluded">
                <TableCell sx={{ width: '30%' }}>
                  <Link to={entityPath(x.service)}>{x.service.title}</Link>
                  <Typography variant="caption" display="block">
                    {x.service.provider.name}
                  </Typography>
                </TableCell>
                <TableCell>
                  <Box component="ul" sx={{ m: 0, pl: 2 }}>
                    {x.reasons.map(r => (
                      <li key={r.need}>{r.message}</li>
                    ))}
                  </Box>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Paper>
    </Box>
  );
}
