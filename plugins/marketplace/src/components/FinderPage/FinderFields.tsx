import { useEffect, useState } from 'react';
import Box from '@mui/material/Box';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormLabel from '@mui/material/FormLabel';
import InputAdornment from '@mui/material/InputAdornment';
import TextField from '@mui/material/TextField';
import { NumberParam } from './finderParams';

const COMMIT_DELAY_MS = 400;

/**
 * A number field bound to one query parameter; it writes to the URL a moment
 * after the user stops typing, so every state of the page is a shareable link.
 */
export function ParamNumberField(props: {
  label: string;
  param: NumberParam;
  params: URLSearchParams;
  onCommit: (param: NumberParam, value: string | undefined) => void;
  placeholder?: string;
  unit?: string;
  helperText?: string;
  toParam?: (text: string) => string | undefined;
  fromParam?: (value: string) => string;
}) {
  const { label, param, params, onCommit, placeholder, unit, helperText } =
    props;
  const toParam = props.toParam ?? ((t: string) => t);
  const fromParam = props.fromParam ?? ((v: string) => v);
  const urlValue = params.get(param) ?? '';
  const [text, setText] = useState(urlValue ? fromParam(urlValue) : '');
  const [invalid, setInvalid] = useState<string | undefined>();

  useEffect(() => {
    const handle = setTimeout(() => {
      const trimmed = text.trim();
      if (trimmed === '') {
        setInvalid(undefined);
        if (urlValue !== '') onCommit(param, undefined);
        return;
      }
      const value = toParam(trimmed);
      if (value === undefined || !(Number(value) >= 0)) {
        setInvalid('Enter a number of 0 or more');
        return;
      }
      setInvalid(undefined);
      if (value !== urlValue) onCommit(param, value);
    }, COMMIT_DELAY_MS);
    return () => clearTimeout(handle);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  return (
    <TextField
      size="small"
      fullWidth
      label={label}
      value={text}
      placeholder={placeholder}
      onChange={e => setText(e.target.value)}
      error={invalid !== undefined}
      helperText={invalid ?? helperText}
      inputProps={{ inputMode: 'decimal', 'aria-label': label }}
      InputProps={
        unit
          ? {
              endAdornment: (
                <InputAdornment position="end">{unit}</InputAdornment>
              ),
            }
          : undefined
      }
    />
  );
}

/** Checkboxes for the values of a list-valued need. */
export function CheckboxGroup<T extends string>(props: {
  label: string;
  values: readonly T[];
  selected: readonly T[] | undefined;
  labelOf: (value: T) => string;
  onChange: (values: T[]) => void;
}) {
  const { label, values, selected = [], labelOf, onChange } = props;
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
      <FormLabel component="legend" sx={{ typography: 'subtitle2' }}>
        {label}
      </FormLabel>
      <FormGroup>
        {values.map(v => (
          <FormControlLabel
            key={v}
            control={
              <Checkbox
                size="small"
                checked={selected.includes(v)}
                onChange={(_e, checked) =>
                  onChange(
                    checked ? [...selected, v] : selected.filter(x => x !== v),
                  )
                }
              />
            }
            label={labelOf(v)}
          />
        ))}
      </FormGroup>
    </Box>
  );
}
