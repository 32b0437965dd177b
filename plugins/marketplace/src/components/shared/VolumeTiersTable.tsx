import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import {
  formatMicros,
  ModelServicePricing,
} from '@internal/plugin-marketplace-common';
import { formatInteger, formatTokenCount } from '../../format';
import { dataTableSx } from './tables';

/**
 * The base price and the volume tiers of a service, per 1K tokens. Render only
 * when `pricing.tiers` is not empty.
 */
export function VolumeTiersTable(props: { pricing: ModelServicePricing }) {
  const { pricing } = props;
  return (
    <Table size="small" sx={dataTableSx} aria-label="Volume pricing tiers">
      <TableHead>
        <TableRow>
          <TableCell>From monthly tokens</TableCell>
          <TableCell align="right">Prompt / 1K</TableCell>
          <TableCell align="right">Completion / 1K</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        <TableRow>
          <TableCell>0 (base price)</TableCell>
          <TableCell align="right">
            {formatMicros(pricing.promptPer1kMicros)}
          </TableCell>
          <TableCell align="right">
            {formatMicros(pricing.completionPer1kMicros)}
          </TableCell>
        </TableRow>
        {(pricing.tiers ?? []).map(tier => (
          <TableRow key={tier.fromMonthlyTokens}>
            <TableCell>
              {formatInteger(tier.fromMonthlyTokens)} (
              {formatTokenCount(tier.fromMonthlyTokens)})
            </TableCell>
            <TableCell align="right">
              {formatMicros(tier.promptPer1kMicros)}
            </TableCell>
            <TableCell align="right">
              {formatMicros(tier.completionPer1kMicros)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
