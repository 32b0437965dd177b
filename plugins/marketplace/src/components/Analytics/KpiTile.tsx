import { ReactNode } from 'react';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

/** A key figure with its change against the previous period. */
export function KpiTile(props: {
  label: string;
  value: string;
  /** Shown under the value, e.g. "+12% vs previous 30 days". */
  detail?: ReactNode;
  testId?: string;
}) {
  return (
    <Card variant="outlined" data-testid={props.testId}>
      <CardContent>
        <Stack spacing={0.5}>
          <Typography variant="body2" color="text.secondary">
            {props.label}
          </Typography>
          <Typography variant="h5" component="p" data-testid="kpi-value">
            {props.value}
          </Typography>
          {props.detail && (
            <Typography variant="caption" color="text.secondary">
              {props.detail}
            </Typography>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

/** "+25%", "-3%", "new" (nothing before), "no change". */
export function formatTrend(current: number, previous: number): string {
  if (previous === 0) {
    return current === 0 ? 'no change' : 'new';
  }
  const change = (current - previous) / previous;
  if (Math.abs(change) < 0.0005) {
    return 'no change';
  }
  const pct = Math.round(change * 1000) / 10;
  return `${pct > 0 ? '+' : ''}${pct.toLocaleString('en-US')}%`;
}
