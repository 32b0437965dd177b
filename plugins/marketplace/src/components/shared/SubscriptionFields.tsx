import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Subscription } from '@internal/plugin-marketplace-common';
import { formatDateTimeUtc, formatInteger, formatMoney } from '../../format';
import { formatMonth } from './dates';
import { Field } from './Field';
import { Money } from './Money';

/** Trial tokens left of a subscription, with a progress bar and the expiry. */
export function TrialField(props: { subscription: Subscription }) {
  const { trialTokensGranted, trialTokensUsed, trialExpiresAt } =
    props.subscription;
  if (trialTokensGranted <= 0) {
    return <Field label="Trial">No trial</Field>;
  }
  const left = Math.max(0, trialTokensGranted - trialTokensUsed);
  const expired =
    trialExpiresAt !== null && Date.parse(trialExpiresAt) <= Date.now();
  let expiry = 'No expiry';
  if (trialExpiresAt) {
    expiry = `${expired ? 'Expired' : 'Expires'} ${formatDateTimeUtc(
      trialExpiresAt,
    )}`;
  }
  return (
    <Field label="Trial left">
      <Stack spacing={0.5}>
        <span>
          {formatInteger(left)} of {formatInteger(trialTokensGranted)} tokens
        </span>
        <LinearProgress
          variant="determinate"
          value={(left / trialTokensGranted) * 100}
          aria-label="Trial tokens left"
          color={expired ? 'inherit' : 'primary'}
        />
        <Typography variant="caption" color="text.secondary">
          {expiry}
        </Typography>
      </Stack>
    </Field>
  );
}

/** This month's spend of a subscription against its spend cap. */
export function SpendField(props: { subscription: Subscription }) {
  const { monthSpendMicros, spendCapMicros, month } = props.subscription;
  let cap: string;
  if (spendCapMicros === null) {
    cap = 'no cap';
  } else if (spendCapMicros === 0) {
    cap = 'trial only (cap $0.00)';
  } else {
    cap = `cap ${formatMoney(spendCapMicros)}`;
  }
  return (
    <Field label={`Spend in ${formatMonth(month)}`}>
      <Stack spacing={0.5}>
        <span>
          <Money micros={monthSpendMicros} /> · {cap}
        </span>
        {spendCapMicros !== null && spendCapMicros > 0 && (
          <LinearProgress
            variant="determinate"
            value={Math.min(100, (monthSpendMicros / spendCapMicros) * 100)}
            aria-label="Spend cap used"
            color={monthSpendMicros >= spendCapMicros ? 'error' : 'primary'}
          />
        )}
      </Stack>
    </Field>
  );
}
