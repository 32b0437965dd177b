import { ReactNode } from 'react';
import { usePermission } from '@backstage/plugin-permission-react';
import { marketplaceServicePublishPermission } from '@internal/plugin-marketplace-common';

/**
 * The provider dashboard's sidebar item, shown only to users the permission
 * framework lets publish services: provider team members and admins. Hiding it
 * is a convenience; the page explains itself to anyone who opens it anyway.
 */
export function ProviderNavItem(props: { children: ReactNode }) {
  const { allowed } = usePermission({
    permission: marketplaceServicePublishPermission,
  });
  return allowed ? <>{props.children}</> : null;
}
