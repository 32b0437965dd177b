import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import FormControl from '@mui/material/FormControl';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TablePagination from '@mui/material/TablePagination';
import TableRow from '@mui/material/TableRow';
import TableSortLabel from '@mui/material/TableSortLabel';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Link as RouterLink, useSearchParams } from 'react-router-dom';
import {
  Content,
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  ADMIN_USER_SORTS,
  AdminUser,
  AdminUserSort,
  MARKETPLACE_ROLES,
  MarketplaceRole,
  USER_STATUSES,
  UserStatus,
} from '@internal/plugin-marketplace-common';
import { errorMessage, errorStatus, marketplaceApiRef } from '../../api';
import { formatDateTimeUtc } from '../../format';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { useToastedAction } from '../shared/useToastedAction';
import { NotAllowed } from '../shared/NotAllowed';
import {
  ChangeRoleDialog,
  PlatformFeeDialog,
  ROLE_LABELS,
  SuspendDialog,
  userLabel,
} from './UserDialogs';
import { dataTableSx, tableContainerSx } from '../shared/tables';
import { Money } from '../shared/Money';

const PAGE_SIZE = 25;

const COLUMNS: { sort: AdminUserSort; label: string; numeric?: boolean }[] = [
  { sort: 'name', label: 'User' },
  { sort: 'role', label: 'Role' },
  { sort: 'status', label: 'Status' },
  { sort: 'subscriptions', label: 'Subscriptions', numeric: true },
  { sort: 'activeKeys', label: 'Active keys', numeric: true },
  { sort: 'spend', label: 'Spend this month', numeric: true },
  { sort: 'lastActive', label: 'Last request' },
];

function oneOf<T extends string>(
  values: readonly T[],
  value: string | null,
): T | undefined {
  return values.find(v => v === value);
}

function StatusChip(props: { user: AdminUser }) {
  const { user } = props;
  if (user.status === 'active') {
    return (
      <Chip size="small" label="Active" color="success" variant="outlined" />
    );
  }
  return (
    <Tooltip title={user.suspension?.reason ?? ''}>
      <Chip size="small" label="Suspended" color="error" />
    </Tooltip>
  );
}

function RoleCell(props: { user: AdminUser }) {
  const { user } = props;
  return (
    <>
      <Chip
        size="small"
        label={ROLE_LABELS[user.role]}
        color={user.role === 'admin' ? 'secondary' : 'default'}
        variant={user.role === 'consumer' ? 'outlined' : 'filled'}
      />
      {user.roleOverride && (
        <Typography variant="caption" display="block" color="text.secondary">
          set by an admin (groups: {ROLE_LABELS[user.groupRole]})
        </Typography>
      )}
    </>
  );
}

/** The platform fee, with a button to change it. */
function PlatformFeeCard() {
  const api = useApi(marketplaceApiRef);
  const toastApi = useApi(toastApiRef);
  const [busy, setBusy] = useState(false);
  const settings = useAsyncRetry(() => api.getPlatformSettings(), [api]);
  const [editing, setEditing] = useState(false);
  if (settings.error) {
    // 403 or an outage: the users table says what matters.
    return null;
  }
  const value = settings.value;
  const save = async (percent: number) => {
    setBusy(true);
    try {
      await api.setPlatformFee(percent);
      toastApi.post({
        title: `The platform fee is ${percent}% for new requests`,
        status: 'success',
        timeout: 5000,
      });
      setEditing(false);
      settings.retry();
    } catch (e) {
      toastApi.post({
        title: `Could not change the platform fee: ${errorMessage(e)}`,
        status: 'danger',
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card variant="outlined" data-testid="platform-fee-card">
      <CardContent>
        <Stack direction="row" spacing={2} alignItems="center">
          <Box flexGrow={1}>
            <Typography variant="overline">Platform fee</Typography>
            <Typography variant="h5">
              {value ? `${value.platformFeePercent}%` : '…'}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {value?.platformFeeSource === 'admin'
                ? `Set by ${value.updatedBy} on ${formatDateTimeUtc(
                    value.updatedAt!,
                  )}`
                : 'From the configuration (marketplace.platformFeePercent)'}
            </Typography>
          </Box>
          <Button
            variant="outlined"
            disabled={!value}
            onClick={() => setEditing(true)}
          >
            Change fee
          </Button>
        </Stack>
      </CardContent>
      <PlatformFeeDialog
        open={editing}
        current={value?.platformFeePercent}
        busy={busy}
        onSave={save}
        onCancel={() => setEditing(false)}
      />
    </Card>
  );
}

function UserRows(props: {
  users: AdminUser[];
  sort: AdminUserSort;
  order: 'asc' | 'desc';
  onSort: (sort: AdminUserSort) => void;
  onChangeRole: (user: AdminUser) => void;
  onSuspend: (user: AdminUser) => void;
  onReinstate: (user: AdminUser) => void;
}) {
  const { users, sort, order, onSort } = props;
  return (
    <TableContainer sx={tableContainerSx}>
      <Table size="small" sx={dataTableSx} aria-label="Users">
        <TableHead>
          <TableRow>
            {COLUMNS.map(c => (
              <TableCell
                key={c.sort}
                align={c.numeric ? 'right' : 'left'}
                sortDirection={sort === c.sort ? order : false}
                sx={{ whiteSpace: 'nowrap' }}
              >
                <TableSortLabel
                  active={sort === c.sort}
                  direction={sort === c.sort ? order : 'asc'}
                  onClick={() => onSort(c.sort)}
                >
                  {c.label}
                </TableSortLabel>
              </TableCell>
            ))}
            <TableCell align="right">Actions</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {users.map(u => (
            <TableRow key={u.userRef} data-testid="user-row">
              <TableCell>
                <Typography variant="body2" fontWeight={500}>
                  {userLabel(u)}
                </Typography>
                <Typography variant="caption" color="text.secondary">
                  {u.userRef}
                  {u.email ? ` · ${u.email}` : ''}
                  {u.inCatalog ? '' : ' · not in the catalog'}
                </Typography>
              </TableCell>
              <TableCell>
                <RoleCell user={u} />
              </TableCell>
              <TableCell>
                <StatusChip user={u} />
                {u.suspension && (
                  <Typography
                    variant="caption"
                    display="block"
                    color="text.secondary"
                  >
                    {u.suspension.reason}
                  </Typography>
                )}
              </TableCell>
              <TableCell align="right">{u.subscriptions}</TableCell>
              <TableCell align="right">{u.activeKeys}</TableCell>
              <TableCell align="right">
                <Money micros={u.monthSpendMicros} />
              </TableCell>
              <TableCell>
                {u.lastActiveAt ? formatDateTimeUtc(u.lastActiveAt) : 'Never'}
              </TableCell>
              <TableCell align="right">
                <Stack
                  direction="row"
                  spacing={1}
                  justifyContent="flex-end"
                  sx={{ '& .MuiButton-root': { whiteSpace: 'nowrap' } }}
                >
                  <Button
                    size="small"
                    onClick={() => props.onChangeRole(u)}
                    aria-label={`Change role of ${userLabel(u)}`}
                  >
                    Role
                  </Button>
                  {u.status === 'active' ? (
                    <Button
                      size="small"
                      color="error"
                      variant="outlined"
                      onClick={() => props.onSuspend(u)}
                      aria-label={`Suspend ${userLabel(u)}`}
                    >
                      Suspend
                    </Button>
                  ) : (
                    <Button
                      size="small"
                      color="success"
                      variant="outlined"
                      onClick={() => props.onReinstate(u)}
                      aria-label={`Reinstate ${userLabel(u)}`}
                    >
                      Reinstate
                    </Button>
                  )}
                  <Button
                    size="small"
                    component={RouterLink}
                    to={`/admin/audit?target=${encodeURIComponent(u.userRef)}`}
                    aria-label={`Audit log of ${userLabel(u)}`}
                  >
                    Audit
                  </Button>
                </Stack>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/**
 * `/admin/users`: every user of the catalog with their marketplace role,
 * status, subscriptions, keys and spend; search, filters, sort and paging in
 * the URL; change role, suspend with a reason and reinstate behind confirm
 * dialogs; the platform fee. Admins only: the API answers 403 to others, and
 * the page says so.
 */
export function UsersPage() {
  const api = useApi(marketplaceApiRef);
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const role = oneOf(MARKETPLACE_ROLES, params.get('role'));
  const status = oneOf(USER_STATUSES, params.get('status'));
  const sort = oneOf(ADMIN_USER_SORTS, params.get('sort')) ?? 'name';
  const order = params.get('order') === 'desc' ? 'desc' : 'asc';
  const page = Math.max(0, Number.parseInt(params.get('page') ?? '0', 10) || 0);

  const users = useAsyncRetry(
    () =>
      api.listUsers({
        q: q || undefined,
        role: role ? [role] : undefined,
        status: status ? [status] : undefined,
        sort,
        order,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      }),
    [api, q, role, status, sort, order, page],
  );
  const [changing, setChanging] = useState<AdminUser>();
  const [suspending, setSuspending] = useState<AdminUser>();
  const [reinstating, setReinstating] = useState<AdminUser>();

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) {
        next.set(key, value);
      } else {
        next.delete(key);
      }
    }
    if (!('page' in changes)) {
      next.delete('page');
    }
    setParams(next, { replace: true });
  };

  const { busy, run } = useToastedAction(() => {
    setChanging(undefined);
    setSuspending(undefined);
    setReinstating(undefined);
    users.retry();
  });

  const forbidden = users.error && errorStatus(users.error) === 403;
  let body;
  if (users.loading && !users.value) {
    body = <Progress />;
  } else if (forbidden) {
    body = (
      <NotAllowed>
        Only platform admins manage users. Ask one of them if you need another
        role or your access changed.
      </NotAllowed>
    );
  } else if (users.error) {
    body = <ResponseErrorPanel error={users.error} />;
  } else if (!users.value?.items.length) {
    body = (
      <EmptyState
        missing="data"
        title={q || role || status ? 'No users match' : 'No users yet'}
        description={
          q || role || status
            ? 'Change the search or the filters.'
            : 'Users come from the catalog (User entities).'
        }
      />
    );
  } else {
    body = (
      <>
        <UserRows
          users={users.value.items}
          sort={sort}
          order={order}
          onSort={s =>
            update({
              sort: s,
              order: s === sort && order === 'asc' ? 'desc' : 'asc',
            })
          }
          onChangeRole={setChanging}
          onSuspend={setSuspending}
          onReinstate={setReinstating}
        />
        <TablePagination
          component="div"
          count={users.value.total}
          page={page}
          rowsPerPage={PAGE_SIZE}
          rowsPerPageOptions={[PAGE_SIZE]}
          onPageChange={(_e, p) => update({ page: p ? String(p) : undefined })}
        />
      </>
    );
  }

  return (
    <Content>
      <ContentHeader
        title="Users"
        description="Marketplace roles, suspensions and spend of every user in the catalog."
      />
      <Stack spacing={2}>
        {!forbidden && <PlatformFeeCard />}
        {!forbidden && (
          <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
            <TextField
              label="Search"
              placeholder="Name, email or user ref"
              size="small"
              value={q}
              onChange={e => update({ q: e.target.value || undefined })}
              sx={{ minWidth: 280 }}
            />
            <FormControl size="small" sx={{ minWidth: 160 }}>
              <InputLabel id="role-filter-label">Role</InputLabel>
              <Select
                labelId="role-filter-label"
                label="Role"
                value={role ?? ''}
                onChange={e =>
                  update({ role: (e.target.value as string) || undefined })
                }
              >
                <MenuItem value="">All roles</MenuItem>
                {MARKETPLACE_ROLES.map((r: MarketplaceRole) => (
                  <MenuItem key={r} value={r}>
                    {ROLE_LABELS[r]}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            <FormControl size="small" sx={{ minWidth: 160 }}>
              <InputLabel id="status-filter-label">Status</InputLabel>
              <Select
                labelId="status-filter-label"
                label="Status"
                value={status ?? ''}
                onChange={e =>
                  update({ status: (e.target.value as string) || undefined })
                }
              >
                <MenuItem value="">All statuses</MenuItem>
                {USER_STATUSES.map((s: UserStatus) => (
                  <MenuItem key={s} value={s}>
                    {s === 'active' ? 'Active' : 'Suspended'}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
          </Stack>
        )}
        {body}
      </Stack>
      <ChangeRoleDialog
        user={changing}
        busy={busy}
        onCancel={() => setChanging(undefined)}
        onChange={next =>
          changing &&
          run(
            () => api.setUserRole(changing.userRef, next),
            next
              ? `${userLabel(changing)} is now ${ROLE_LABELS[next]}`
              : `${userLabel(changing)} has the role of their groups again`,
            `Could not change the role of ${userLabel(changing)}`,
          )
        }
      />
      <SuspendDialog
        user={suspending}
        busy={busy}
        onCancel={() => setSuspending(undefined)}
        onSuspend={reason =>
          suspending &&
          run(
            () => api.suspendUser(suspending.userRef, reason),
            `${userLabel(suspending)} is suspended`,
            `Could not suspend ${userLabel(suspending)}`,
          )
        }
      />
      <ConfirmDialog
        open={!!reinstating}
        title={`Reinstate ${userLabel(reinstating)}?`}
        confirmLabel="Reinstate"
        confirmColor="success"
        busy={busy}
        onCancel={() => setReinstating(undefined)}
        onConfirm={() =>
          reinstating &&
          run(
            () => api.reinstateUser(reinstating.userRef),
            `${userLabel(reinstating)} is active again`,
            `Could not reinstate ${userLabel(reinstating)}`,
          )
        }
      >
        Their API keys work again from the next request, and they can subscribe
        again.
        {reinstating?.suspension && (
          <>
            {' '}
            They were suspended by {reinstating.suspension.suspendedBy}:{' '}
            <em>{reinstating.suspension.reason}</em>
          </>
        )}
      </ConfirmDialog>
    </Content>
  );
}
