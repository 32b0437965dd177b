import {
  MarketplaceRestClient,
  ServiceApproval,
} from '@internal/plugin-marketplace-common';
import { MarketplaceApi } from '../MarketplaceApi';

/**
 * What platform admins do, {@link MarketplaceApi}: approvals, provider
 * verification, users and roles, settings, the audit log.
 */
export type AdminApi = Pick<
  MarketplaceApi,
  | 'listApprovals'
  | 'approveService'
  | 'rejectService'
  | 'listProviderApprovals'
  | 'approveProvider'
  | 'rejectProvider'
  | 'setProviderVerification'
  | 'listUsers'
  | 'setUserRole'
  | 'suspendUser'
  | 'reinstateUser'
  | 'getPlatformSettings'
  | 'setPlatformFee'
  | 'listAuditLog'
>;

export function createAdminClient(rest: MarketplaceRestClient): AdminApi {
  return {
    async listApprovals(options = {}) {
      const body = await rest.request('get', '/v1/admin/approvals', {
        query: { status: options.status },
      });
      // The ModelService entity is the kind's interface; the spec describes it only in part.
      return body.approvals as ServiceApproval[];
    },

    async approveService(serviceName) {
      const body = await rest.request(
        'post',
        '/v1/admin/approvals/{serviceName}/approve',
        { path: { serviceName } },
      );
      // The ModelService entity is the kind's interface; the spec describes it only in part.
      return body.approval as ServiceApproval;
    },

    async rejectService(serviceName, reason) {
      const body = await rest.request(
        'post',
        '/v1/admin/approvals/{serviceName}/reject',
        { path: { serviceName }, body: { reason } },
      );
      // The ModelService entity is the kind's interface; the spec describes it only in part.
      return body.approval as ServiceApproval;
    },

    async listProviderApprovals(options = {}) {
      const body = await rest.request('get', '/v1/admin/provider-approvals', {
        query: { status: options.status },
      });
      return body.approvals;
    },

    async approveProvider(providerName) {
      const body = await rest.request(
        'post',
        '/v1/admin/provider-approvals/{providerName}/approve',
        { path: { providerName }, body: {} },
      );
      return body.approval;
    },

    async rejectProvider(providerName, reason) {
      const body = await rest.request(
        'post',
        '/v1/admin/provider-approvals/{providerName}/reject',
        { path: { providerName }, body: { reason } },
      );
      return body.approval;
    },

    async setProviderVerification(id, request) {
      const body = await rest.request(
        'put',
        '/marketplace/admin/providers/{id}/verification',
        { path: { id }, body: request },
      );
      return body.verification;
    },

    async listUsers(query = {}) {
      return rest.request('get', '/v1/admin/users', { query });
    },

    async setUserRole(userRef, role) {
      const body = await rest.request('put', '/v1/admin/users/{userRef}/role', {
        path: { userRef },
        body: { role },
      });
      return body.user;
    },

    async suspendUser(userRef, reason) {
      const body = await rest.request(
        'post',
        '/v1/admin/users/{userRef}/suspend',
        { path: { userRef }, body: { reason } },
      );
      return body.user;
    },

    async reinstateUser(userRef) {
      const body = await rest.request(
        'post',
        '/v1/admin/users/{userRef}/reinstate',
        { path: { userRef } },
      );
      return body.user;
    },

    async getPlatformSettings() {
      const body = await rest.request('get', '/v1/admin/settings');
      return body.settings;
    },

    async setPlatformFee(percent) {
      const body = await rest.request(
        'put',
        '/v1/admin/settings/platform-fee',
        {
          body: { percent },
        },
      );
      return body.settings;
    },

    async listAuditLog(query = {}) {
      return rest.request('get', '/v1/admin/audit', { query });
    },
  };
}
