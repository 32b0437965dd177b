import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import InputAdornment from '@mui/material/InputAdornment';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { parseMicros } from '@internal/plugin-marketplace-common';

export type CapMode = 'none' | 'cap' | 'trial';

/** Parses the dollar amount of the spend cap into integer micro-USD, exactly. */
export function parseCapDollars(
  value: string,
  hasTrial: boolean,
): { micros?: number; error?: string } {
  const trimmed = value.trim().replace(/^\$\s*/, '');
  if (!trimmed) {
    return { error: 'Enter the monthly cap in dollars, e.g. 50 or 12.34' };
  }
  let micros: number;
  try {
    micros = parseMicros(trimmed);
  } catch {
    return {
      error:
        'Enter an amount in dollars like 50 or 12.34 (digits and at most 6 decimals)',
    };
  }
  if (micros <= 0) {
    return {
      error: hasTrial
        ? 'The cap must be more than $0. To use only the free trial, choose "Trial only".'
        : 'The cap must be more than $0',
    };
  }
  return { micros };
}

/** No cap, a monthly cap in dollars, or (with a free trial) the trial only. */
export function SpendCapField(props: {
  mode: CapMode;
  onModeChange: (mode: CapMode) => void;
  text: string;
  onTextChange: (text: string) => void;
  onBlur: () => void;
  /** The cap's problem, once the user left the field. */
  error?: string;
  hasTrial: boolean;
}) {
  const { mode, text, error, hasTrial } = props;
  return (
    <FormControl error={!!error}>
      <FormLabel id="spend-cap-label">Spend cap</FormLabel>
      <RadioGroup
        aria-labelledby="spend-cap-label"
        value={mode}
        onChange={e => props.onModeChange(e.target.value as CapMode)}
      >
        <FormControlLabel value="none" control={<Radio />} label="No cap" />
        <Stack direction="row" alignItems="center" spacing={1}>
          <FormControlLabel
            value="cap"
            control={<Radio />}
            label="Monthly cap of"
            sx={{ mr: 0 }}
          />
          <TextField
            value={text}
            onChange={e => {
              props.onTextChange(e.target.value);
              props.onModeChange('cap');
            }}
            onFocus={() => props.onModeChange('cap')}
            onBlur={props.onBlur}
            error={!!error}
            size="small"
            placeholder="50.00"
            inputProps={{
              'aria-label': 'Monthly cap in US dollars',
              inputMode: 'decimal',
              'aria-describedby': error ? 'spend-cap-error' : undefined,
            }}
            InputProps={{
              startAdornment: (
                <InputAdornment position="start">$</InputAdornment>
              ),
            }}
            sx={{ width: 160 }}
          />
        </Stack>
        {error && (
          <FormHelperText id="spend-cap-error" sx={{ ml: 4 }}>
            {error}
          </FormHelperText>
        )}
        {hasTrial && (
          <FormControlLabel
            value="trial"
            control={<Radio />}
            label="Trial only (stop when the free tokens are used)"
          />
        )}
      </RadioGroup>
      {mode === 'none' && (
        <FormHelperText>
          {hasTrial
            ? 'Usage beyond the free trial is billed without a limit.'
            : 'All usage is billed without a limit.'}
        </FormHelperText>
      )}
    </FormControl>
  );
}
