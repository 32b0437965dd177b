import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TableSortLabel from '@mui/material/TableSortLabel';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router-dom';
import { AdminUser, AdminUserSort } from '@internal/plugin-marketplace-common';
import { formatDateTimeUtc } from '../../format';
import { DataTable } from '../shared/DataTable';
import { Money } from '../shared/Money';
import { ROLE_LABELS, userLabel } from './UserDialogs';

const COLUMNS: { sort: AdminUserSort; label: string; numeric?: boolean }[] = [
  { sort: 'name', label: 'User' },
  { sort: 'role', label: 'Role' },
  { sort: 'status', label: 'Status' },
  { sort: 'subscriptions', label: 'Subscriptions', numeric: true },
  { sort: 'activeKeys', label: 'Active keys', numeric: true },
  { sort: 'spend', label: 'Spend this month', numeric: true },
  { sort: 'lastActive', label: 'Last request' },
];

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

/** The users, sortable by column, with their actions. */
export function UsersTable(props: {
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
    <DataTable
      label="Users"
      head={
        <>
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
        </>
      }
    >
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
    </DataTable>
  );
}
