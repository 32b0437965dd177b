import { useState } from 'react';
import FormControl from '@mui/material/FormControl';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Content, ContentHeader } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ADMIN_USER_SORTS,
  AdminUser,
  MARKETPLACE_ROLES,
  MarketplaceRole,
  USER_STATUSES,
  UserStatus,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { useToastedAction } from '../shared/useToastedAction';
import {
  isForbidden,
  TableFilters,
  TablePager,
  TableStates,
  useTableParams,
} from '../shared/DataTable';
import {
  ChangeRoleDialog,
  ROLE_LABELS,
  SuspendDialog,
  userLabel,
} from './UserDialogs';
import { PlatformFeeCard } from './PlatformFeeCard';
import { UsersTable } from './UsersTable';

const PAGE_SIZE = 25;

function oneOf<T extends string>(
  values: readonly T[],
  value: string | null,
): T | undefined {
  return values.find(v => v === value);
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
  const { params, page, update, setPage } = useTableParams();
  const q = params.get('q') ?? '';
  const role = oneOf(MARKETPLACE_ROLES, params.get('role'));
  const status = oneOf(USER_STATUSES, params.get('status'));
  const sort = oneOf(ADMIN_USER_SORTS, params.get('sort')) ?? 'name';
  const order = params.get('order') === 'desc' ? 'desc' : 'asc';

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

  const { busy, run } = useToastedAction(() => {
    setChanging(undefined);
    setSuspending(undefined);
    setReinstating(undefined);
    users.retry();
  });

  const forbidden = isForbidden(users);
  const filtered = Boolean(q || role || status);
  return (
    <Content>
      <ContentHeader
        title="Users"
        description="Marketplace roles, suspensions and spend of every user in the catalog."
      />
      <Stack spacing={2}>
        {!forbidden && <PlatformFeeCard />}
        {!forbidden && (
          <TableFilters>
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
          </TableFilters>
        )}
        <TableStates
          data={users}
          notAllowed="Only platform admins manage users. Ask one of them if you need another role or your access changed."
          isEmpty={value => !value.items.length}
          empty={
            filtered
              ? {
                  title: 'No users match',
                  description: 'Change the search or the filters.',
                }
              : {
                  title: 'No users yet',
                  description: 'Users come from the catalog (User entities).',
                }
          }
        >
          {value => (
            <>
              <UsersTable
                users={value.items}
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
