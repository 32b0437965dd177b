import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import {
  estimateMonthlyCost,
  formatMicros,
  ModelServicePricing,
} from '@internal/plugin-marketplace-common';
import { formatInteger } from '../../format';
import { Field } from '../shared/Field';

/** Calculator defaults: a small production workload. */
export const DEFAULT_REQUESTS_PER_MONTH = 10_000;
export const DEFAULT_AVG_PROMPT_TOKENS = 800;
export const DEFAULT_AVG_COMPLETION_TOKENS = 300;

function parseCount(value: string): { value?: number; error?: string } {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) {
    return { error: 'Enter a whole number (0 or more)' };
  }
  const n = Number(trimmed);
  if (!Number.isSafeInteger(n)) {
    return { error: 'This number is too large' };
  }
  return { value: n };
}

function EstimateValue(props: {
  label: string;
  testId: string;
  children: string;
}) {
  return (
    <Field label={props.label}>
      <span data-testid={props.testId}>{props.children}</span>
    </Field>
  );
}

/** The monthly cost of a workload at the list prices, after the free trial. */
export function CostCalculator(props: {
  pricing: ModelServicePricing;
  trialTokens: number;
  values: { requests: string; prompt: string; completion: string };
  onChange: (values: {
    requests: string;
    prompt: string;
    completion: string;
  }) => void;
}) {
  const { pricing, trialTokens, values, onChange } = props;
  const requests = parseCount(values.requests);
  const prompt = parseCount(values.prompt);
  const completion = parseCount(values.completion);

  let estimate: ReturnType<typeof estimateMonthlyCost> | undefined;
  let tooLarge = false;
  if (
    requests.value !== undefined &&
    prompt.value !== undefined &&
    completion.value !== undefined
  ) {
    const total = requests.value * (prompt.value + completion.value);
    if (Number.isSafeInteger(total)) {
      estimate = estimateMonthlyCost(pricing, {
        requestsPerMonth: requests.value,
        avgPromptTokens: prompt.value,
        avgCompletionTokens: completion.value,
        trialTokens,
      });
      tooLarge = !Number.isSafeInteger(estimate.costMicros);
    } else {
      tooLarge = true;
    }
  }

  const input = (
    key: 'requests' | 'prompt' | 'completion',
    label: string,
    parsed: { error?: string },
  ) => (
    <TextField
      label={label}
      value={values[key]}
      onChange={e => onChange({ ...values, [key]: e.target.value })}
      error={!!parsed.error}
      helperText={parsed.error ?? ' '}
      size="small"
      inputProps={{ inputMode: 'numeric' }}
      fullWidth
    />
  );

  return (
    <Stack spacing={1.5}>
      <Box
        sx={{
          display: 'grid',
          gap: 2,
          gridTemplateColumns: { xs: '1fr', sm: 'repeat(3, minmax(0, 1fr))' },
        }}
      >
        {input('requests', 'Requests per month', requests)}
        {input('prompt', 'Average prompt tokens', prompt)}
        {input('completion', 'Average completion tokens', completion)}
      </Box>
      {estimate && !tooLarge ? (
        <Box
          role="group"
          aria-label="Monthly estimate"
          sx={{
            display: 'grid',
            gap: 2,
            gridTemplateColumns: {
              xs: 'repeat(2, minmax(0, 1fr))',
              sm: 'repeat(4, minmax(0, 1fr))',
            },
          }}
        >
          <EstimateValue label="Total tokens" testId="estimate-total-tokens">
            {formatInteger(estimate.totalTokens)}
          </EstimateValue>
          <EstimateValue
            label="Covered by the trial"
            testId="estimate-trial-tokens"
          >
            {formatInteger(estimate.trialTokens)}
          </EstimateValue>
          <EstimateValue
            label="Billable tokens"
            testId="estimate-billable-tokens"
          >
            {formatInteger(estimate.billableTokens)}
          </EstimateValue>
          <EstimateValue label="Estimated cost" testId="estimate-cost">
            {formatMicros(estimate.costMicros)}
          </EstimateValue>
        </Box>
      ) : (
        <Typography variant="body2" color="text.secondary">
          {tooLarge
            ? 'These numbers are too large to estimate.'
            : 'Fix the inputs above to see the estimate.'}
        </Typography>
      )}
      <Typography variant="caption" color="text.secondary">
        For one calendar month at the list prices above: requests are billed one
        by one,{' '}
        {trialTokens > 0 ? 'the free trial tokens are used first, ' : ''}
        and a volume tier applies once the month&apos;s tokens reach its
        threshold.
      </Typography>
    </Stack>
  );
}
