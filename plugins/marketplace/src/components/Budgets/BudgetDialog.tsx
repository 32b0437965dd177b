import { useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import MenuItem from '@mui/material/MenuItem';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  Budget,
  BudgetMode,
  BudgetScope,
  formatMicros,
} from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import {
  BudgetFormErrors,
  DEFAULT_THRESHOLDS_TEXT,
  parseBudgetForm,
} from './budgetForm';

const REF_KINDS: Record<BudgetScope, string> = {
  user: 'user',
  team: 'group',
  subscription: 'subscription',
};

const REF_EXAMPLES: Record<BudgetScope, string> = {
  user: 'user:default/lena.fischer',
  team: 'group:default/checkout-team',
  subscription: 'subscription id',
};

export type BudgetDialogProps = {
  open: boolean;
  /** What the budget is for, e.g. "Your monthly budget". */
  title: string;
  /** Set for an existing target; admins creating one choose scope and ref. */
  target?: { scope: BudgetScope; ref: string };
  /** The budget as it is (editing), or undefined (new). */
  budget?: Budget;
  onClose: () => void;
  onSaved: (budget: Budget) => void;
};

/**
 * Sets a monthly budget: the amount in USD, hard or soft, the alert
 * thresholds. Every field is checked before saving, and the message names the
 * field; the server's refusal (it checks the same, and who may) is shown too.
 */
export function BudgetDialog(props: BudgetDialogProps) {
  const { open, budget, target } = props;
  const api = useApi(marketplaceApiRef);
  const [amount, setAmount] = useState('');
  const [mode, setMode] = useState<BudgetMode>('hard');
  const [thresholds, setThresholds] = useState(DEFAULT_THRESHOLDS_TEXT);
  const [scope, setScope] = useState<BudgetScope>('user');
  const [ref, setRef] = useState('');
  const [errors, setErrors] = useState<BudgetFormErrors & { ref?: string }>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setAmount(
        budget
          ? formatMicros(budget.amountMicros)
              .replace(/^\$/, '')
              .replace(/,/g, '')
          : '',
      );
      setMode(budget?.mode ?? 'hard');
      setThresholds(budget?.thresholds.join(', ') ?? DEFAULT_THRESHOLDS_TEXT);
      setScope(target?.scope ?? 'user');
      setRef(target?.ref ?? '');
      setErrors({});
      setFailure(undefined);
    }
  }, [open, budget, target]);

  const save = async () => {
    const parsed = parseBudgetForm({ amount, mode, thresholds });
    const refError =
      !target && !ref.trim()
        ? `For: enter the ${REF_KINDS[scope]} this budget is for`
        : undefined;
    if (!parsed.ok || refError) {
      setErrors({ ...(parsed.ok ? {} : parsed.errors), ref: refError });
      return;
    }
    setErrors({});
    setBusy(true);
    setFailure(undefined);
    try {
      const saved = await api.putBudget(
        target?.scope ?? scope,
        target?.ref ?? ref.trim(),
        parsed.input,
      );
      props.onSaved(saved);
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : props.onClose}
      aria-labelledby="budget-dialog-title"
      maxWidth="sm"
      fullWidth
    >
      <DialogTitle id="budget-dialog-title">{props.title}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          A budget limits the spend of one calendar month (UTC). Alerts arrive
          in your notifications at each threshold, once a month.
        </DialogContentText>
        <Stack spacing={2.5}>
          {!target && (
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              <TextField
                select
                label="Scope"
                value={scope}
                onChange={e => setScope(e.target.value as BudgetScope)}
                sx={{ minWidth: 160 }}
              >
                <MenuItem value="user">User</MenuItem>
                <MenuItem value="team">Team</MenuItem>
                <MenuItem value="subscription">Subscription</MenuItem>
              </TextField>
              <TextField
                label="For"
                value={ref}
                onChange={e => setRef(e.target.value)}
                placeholder={REF_EXAMPLES[scope]}
                error={!!errors.ref}
                helperText={errors.ref ?? 'An entity ref, or a subscription id'}
                fullWidth
                inputProps={{ 'data-testid': 'budget-ref' }}
              />
            </Stack>
          )}
          <TextField
            label="Monthly amount (USD)"
            value={amount}
            onChange={e => setAmount(e.target.value)}
            error={!!errors.amount}
            helperText={errors.amount ?? 'For example 50 or 12.50'}
            inputProps={{
              inputMode: 'decimal',
              'data-testid': 'budget-amount',
            }}
            fullWidth
          />
          <FormControl error={!!errors.mode}>
            <FormLabel id="budget-mode-label">Mode</FormLabel>
            <RadioGroup
              aria-labelledby="budget-mode-label"
              value={mode}
              onChange={e => setMode(e.target.value as BudgetMode)}
            >
              <FormControlLabel
                value="hard"
                control={<Radio />}
                label="Hard: the gateway refuses paid requests once it is used up (402)"
              />
              <FormControlLabel
                value="soft"
                control={<Radio />}
                label="Soft: alerts only, requests continue"
              />
            </RadioGroup>
            {errors.mode && <FormHelperText>{errors.mode}</FormHelperText>}
          </FormControl>
          <TextField
            label="Alert thresholds (%)"
            value={thresholds}
            onChange={e => setThresholds(e.target.value)}
            error={!!errors.thresholds}
            helperText={
              errors.thresholds ??
              'Percents of the budget, ascending; each alert is sent once a month'
            }
            inputProps={{ 'data-testid': 'budget-thresholds' }}
            fullWidth
          />
          {failure && (
            <Alert severity="error" data-testid="budget-error">
              {failure}
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={busy}>
          Cancel
        </Button>
        <Button variant="contained" onClick={save} disabled={busy}>
          Save budget
        </Button>
      </DialogActions>
    </Dialog>
  );
}
