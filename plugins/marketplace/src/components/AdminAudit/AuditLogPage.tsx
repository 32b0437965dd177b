import { Fragment } from 'react';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import FormControl from '@mui/material/FormControl';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Content, ContentHeader } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  AUDIT_ACTIONS,
  AuditAction,
  AuditEntry,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { formatDateTimeUtc } from '../../format';
import { RefLink } from '../shared/RefLink';
import {
  DataTable,
  isForbidden,
  TableFilters,
  TablePager,
  TableStates,
  useTableParams,
} from '../shared/DataTable';

const PAGE_SIZE = 50;

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  'user.role.changed': 'Role changed',
  'user.suspended': 'User suspended',
  'user.reinstated': 'User reinstated',
  'platform.fee.changed': 'Platform fee changed',
  'service.approved': 'Service approved',
  'service.rejected': 'Service rejected',
  'service.change_rejected': 'Service change rejected',
  'provider.approved': 'Provider approved',
  'provider.rejected': 'Provider rejected',
  'review.hidden': 'Review hidden',
  'review.unhidden': 'Review shown again',
  'payout.paid': 'Payout marked paid',
  'credential.created': 'Upstream credential added',
  'credential.rotated': 'Upstream credential rotated',
  'credential.deleted': 'Upstream credential deleted',
  'provider.verified': 'Provider verified',
  'provider.unverified': 'Provider verification withdrawn',
  'budget.set': 'Budget set',
  'budget.deleted': 'Budget removed',
  'price.announced': 'Price change announced',
};

const ACTION_COLORS: Partial<
  Record<AuditAction, 'error' | 'success' | 'warning' | 'info'>
> = {
  'user.suspended': 'error',
  'service.rejected': 'error',
  'service.change_rejected': 'warning',
  'provider.rejected': 'error',
  'review.hidden': 'warning',
  'user.reinstated': 'success',
  'service.approved': 'success',
  'payout.paid': 'success',
  'credential.deleted': 'warning',
  'provider.verified': 'success',
  'provider.unverified': 'warning',
};

/** A value of a before/after state, for people. */
function show(value: unknown): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  if (typeof value === 'string') {
    return /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(value)
      ? formatDateTimeUtc(value)
      : value;
  }
  if (typeof value === 'boolean') {
    return value ? 'yes' : 'no';
  }
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** A full entity ref in a state (`user:default/ada`): named, as a link. */
const ENTITY_REF = /^[a-z]+:[a-z0-9._-]+\/[a-z0-9._-]+$/i;

/** A value of a before/after state: entity refs by their entity's name. */
function Value(props: { value: unknown }) {
  const { value } = props;
  if (typeof value === 'string' && ENTITY_REF.test(value)) {
    return <RefLink entityRef={value} defaultKind="User" />;
  }
  return <>{show(value)}</>;
}

/** Words for a state's keys: `hiddenReason` is "hidden reason". */
function label(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').toLocaleLowerCase('en-US');
}

/**
 * Before and after, readably: the fields that changed as "field: before →
 * after", then the ones that stayed as they were.
 */
export function AuditChange(props: { entry: AuditEntry }) {
  const before = props.entry.before ?? {};
  const after = props.entry.after ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = keys.filter(
    k => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  const same = keys.filter(k => !changed.includes(k));
  return (
    <Box data-testid="audit-change">
      {changed.length > 0 && (
        // A <dl>'s groups hold only <dt> and <dd> (no text between them).
        <Box component="dl" sx={{ m: 0 }}>
          {changed.map(k => (
            <Typography key={k} variant="body2" component="div">
              <Box component="dt" sx={{ display: 'inline', fontWeight: 500 }}>
                {label(k)}:
              </Box>
              <Box component="dd" sx={{ display: 'inline', m: 0, ml: 0.5 }}>
                {k in before ? <Value value={before[k]} /> : '—'} →{' '}
                <Value value={after[k]} />
              </Box>
            </Typography>
          ))}
        </Box>
      )}
      {same.length > 0 && (
        <Typography variant="caption" color="text.secondary" component="div">
          {same.map((k, i) => (
            <Fragment key={k}>
              {i > 0 && ' · '}
              {label(k)}: <Value value={after[k]} />
            </Fragment>
          ))}
        </Typography>
      )}
    </Box>
  );
}

function Target(props: { entry: AuditEntry }) {
  const { entry } = props;
  if (entry.targetType === 'user' || entry.targetType === 'service') {
    return (
      <RefLink
        entityRef={entry.target}
        defaultKind={entry.targetType === 'user' ? 'User' : 'ModelService'}
      />
    );
  }
  if (entry.targetType === 'review') {
    const service = entry.after?.serviceRef ?? entry.before?.serviceRef;
    return (
      <>
        Review {entry.target.slice(0, 8)}
        {typeof service === 'string' && (
          <Typography variant="caption" display="block">
            of <RefLink entityRef={service} defaultKind="ModelService" />
          </Typography>
        )}
      </>
    );
  }
  if (entry.targetType === 'provider') {
    return <RefLink entityRef={entry.target} defaultKind="Provider" />;
  }
  // `<team ref>/<month>`: the payout of a provider team for a month.
  const payout = /^(.+)\/(\d{4}-\d{2})$/.exec(entry.target);
  if (entry.targetType === 'payout' && payout) {
    return (
      <>
        Payout {payout[2]} of{' '}
        <RefLink entityRef={payout[1]} defaultKind="Group" />
      </>
    );
  }
  // `<provider ref>#<name>`: an upstream credential of a provider.
  const credential = /^(.+)#([^#]+)$/.exec(entry.target);
  if (entry.targetType === 'credential' && credential) {
    return (
      <>
        Credential {credential[2]} of{' '}
        <RefLink entityRef={credential[1]} defaultKind="Provider" />
      </>
    );
  }
  return <>{entry.target}</>;
}

/**
 * `/admin/audit`: every admin action, newest first: who, what, when, the
 * target and the state before and after; filtered by action, actor and target
 * (in the URL, so the users page links a user's history). Admins only.
 */
export function AuditLogPage() {
  const api = useApi(marketplaceApiRef);
  const { params, page, update, setPage } = useTableParams();
  const action = AUDIT_ACTIONS.find(a => a === params.get('action'));
  const actor = params.get('actor') ?? '';
  const target = params.get('target') ?? '';
  const log = useAsyncRetry(
    () =>
      api.listAuditLog({
        action: action ? [action] : undefined,
        actor: actor.trim() || undefined,
        target: target.trim() || undefined,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      }),
    [api, action, actor, target, page],
  );

  const forbidden = isForbidden(log);
  const filtered = Boolean(action || actor || target);
  return (
    <Content>
      <ContentHeader
        title="Audit log"
        description="Every admin action: who did what, when, to what, and the state before and after."
      />
      <Stack spacing={2}>
        {!forbidden && (
          <TableFilters>
            <FormControl size="small" sx={{ minWidth: 220 }}>
              <InputLabel id="action-filter-label">Action</InputLabel>
              <Select
                labelId="action-filter-label"
                label="Action"
                value={action ?? ''}
                onChange={e =>
                  update({ action: (e.target.value as string) || undefined })
                }
              >
                <MenuItem value="">All actions</MenuItem>
                {AUDIT_ACTIONS.map(a => (
                  <MenuItem key={a} value={a}>
                    {AUDIT_ACTION_LABELS[a]}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            <TextField
              label="Admin"
              placeholder="ada or user:default/ada"
              size="small"
              value={actor}
              onChange={ev => update({ actor: ev.target.value || undefined })}
            />
            <TextField
              label="Target"
              placeholder="user:default/lena.fischer"
              size="small"
              value={target}
              onChange={ev => update({ target: ev.target.value || undefined })}
              sx={{ minWidth: 300 }}
            />
          </TableFilters>
        )}
        <TableStates
          data={log}
          notAllowed="Only platform admins read the audit log of admin actions."
          isEmpty={value => !value.items.length}
          empty={
            filtered
              ? {
                  title: 'No entries match',
                  description: 'Change the filters.',
                }
              : {
                  title: 'No admin actions yet',
                  description:
                    'Role changes, suspensions, the platform fee, approvals and review moderation are recorded here.',
                }
          }
        >
          {value => (
            <>
              <DataTable
                label="Audit log"
                head={
                  <>
                    <TableCell>When</TableCell>
                    <TableCell>Who</TableCell>
                    <TableCell>Action</TableCell>
                    <TableCell>Target</TableCell>
                    <TableCell>Change</TableCell>
                  </>
                }
              >
                {value.items.map(e => (
                  <TableRow key={e.id} data-testid="audit-row">
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>
                      {formatDateTimeUtc(e.at)}
                    </TableCell>
                    <TableCell>
                      <RefLink entityRef={e.actor} defaultKind="User" />
                    </TableCell>
                    <TableCell>
                      <Chip
                        size="small"
                        label={AUDIT_ACTION_LABELS[e.action] ?? e.action}
                        color={ACTION_COLORS[e.action] ?? 'default'}
                        variant="outlined"
                      />
                    </TableCell>
                    <TableCell>
                      <Target entry={e} />
                    </TableCell>
                    <TableCell>
                      <AuditChange entry={e} />
                    </TableCell>
                  </TableRow>
                ))}
              </DataTable>
              <TablePager
                count={value.total}
                page={page}
                pageSize={PAGE_SIZE}
                onPageChange={setPage}
              />
            </>
          )}
        </TableStates>
      </Stack>
    </Content>
  );
}
