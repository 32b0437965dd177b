import { ConfigReader } from '@backstage/config';
import { readRoleGroups } from '@internal/plugin-marketplace-common';
import { adminRecipients } from './adminRecipients';

const override = (role: 'consumer' | 'provider' | 'admin') => ({
  role,
  setBy: 'user:default/ada',
  setAt: '2026-12-01T00:00:00.000Z',
});

describe('adminRecipients', () => {
  it('names the groups of marketplace.admins.groups and the admins by override, not other overrides', async () => {
    const groups = readRoleGroups(
      new ConfigReader({
        marketplace: {
          admins: { groups: ['group:default/platform-admins'] },
          // The deprecated key is ignored when admins.groups is set.
          roles: { adminGroups: ['group:default/old-admins'] },
        },
      }),
    ).admin;
    const overrides = new Map([
      ['user:default/wei.chen', override('admin')],
      ['user:default/lena.fischer', override('consumer')],
      ['user:default/priya.raman', override('admin')],
    ]);
    const recipients = adminRecipients(groups, {
      listOverrides: async () => overrides,
    });

    expect(await recipients()).toEqual([
      'group:default/platform-admins',
      'user:default/priya.raman',
      'user:default/wei.chen',
    ]);

    // A later override counts from the next breach on.
    overrides.delete('user:default/wei.chen');
    overrides.set('user:default/kenji.nakamura', override('admin'));
    expect(await recipients()).toEqual([
      'group:default/platform-admins',
      'user:default/kenji.nakamura',
      'user:default/priya.raman',
    ]);
  });
});
