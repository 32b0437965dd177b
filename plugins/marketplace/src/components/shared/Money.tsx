import Tooltip from '@mui/material/Tooltip';
import { exactMoney, formatMoney } from '../../format';

/** An amount of money, rounded for reading; the exact micro-USD in a tooltip. */
export function Money(props: { micros: number }) {
  return (
    <Tooltip title={exactMoney(props.micros)}>
      <span>{formatMoney(props.micros)}</span>
    </Tooltip>
  );
}
