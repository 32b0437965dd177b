import { ApiRequest } from '../schema/openapi';
import {
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  BasicPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { marketplaceServiceManagePermission } from '@internal/plugin-marketplace-common';
import { DirectoryService } from '../catalog/directoryService';
import { ownerRefOf, ServiceResource } from '../permissions/rules';

/** The signed-in user of a request. */
export interface Caller {
  userRef: string;
  /** Ownership entity refs, lowercase: the user and their groups. */
  ownership: string[];
  credentials: BackstageCredentials<BackstageUserPrincipal>;
}

/** The permission resource of a service. */
export function resourceOf(s: DirectoryService): ServiceResource {
  return { ref: s.ref, owner: ownerRefOf(s.entity.spec.owner) };
}

// Where the routers have always found it.
export { ownerRefOf };

/**
 * Who the caller is and what the permission framework lets them do. Service
 * management is the resource permission `marketplace.service.manage`: admins are
 * allowed everything, providers on the condition that they own the service
 * (`IS_SERVICE_OWNER`), applied here to the services at hand.
 */
export class Access {
  constructor(
    private readonly deps: {
      httpAuth: HttpAuthService;
      userInfo: UserInfoService;
      permissions: PermissionsService;
      /** Applies a (conditional) decision to a loaded service resource. */
      authorizeService: (
        decision: PolicyDecision,
        resource: ServiceResource,
      ) => boolean;
    },
  ) {}

  async caller(req: ApiRequest): Promise<Caller> {
    const credentials = await this.deps.httpAuth.credentials(req, {
      allow: ['user'],
    });
    const info = await this.deps.userInfo.getUserInfo(credentials);
    return {
      userRef: credentials.principal.userEntityRef,
      ownership: info.ownershipEntityRefs.map(r =>
        r.toLocaleLowerCase('en-US'),
      ),
      credentials,
    };
  }

  /** Whether the caller holds a basic permission. */
  async allowed(me: Caller, permission: BasicPermission): Promise<boolean> {
    const [decision] = await this.deps.permissions.authorize([{ permission }], {
      credentials: me.credentials,
    });
    return decision.result === AuthorizeResult.ALLOW;
  }

  /**
   * The caller's decision on managing services, to apply to any number of
   * services with {@link Access.canManage}.
   */
  async manageDecision(me: Caller): Promise<PolicyDecision> {
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission: marketplaceServiceManagePermission }],
      { credentials: me.credentials },
    );
    return decision;
  }

  canManage(decision: PolicyDecision, resource: ServiceResource): boolean {
    return this.deps.authorizeService(decision, resource);
  }

  /** Whether the caller may change (or see, while it is not public) a service. */
  async mayManage(me: Caller, resource: ServiceResource): Promise<boolean> {
    return this.canManage(await this.manageDecision(me), resource);
  }
}
