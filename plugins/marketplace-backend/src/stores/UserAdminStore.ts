import type {
  MarketplaceRole,
  RoleOverride,
  UserSuspension,
} from '@internal/plugin-marketplace-common';
import type { UserActivity } from './DatabaseUserAdminStore';

/**
 * The admins' view of users: roles overridden, suspensions.
 */
export interface UserAdminStore {
  listOverrides(): Promise<Map<string, RoleOverride>>;
  getOverride(userRef: string): Promise<RoleOverride | null>;
  /**
   * Sets (or with `null` removes) a user's role override, audited with the role
   * in effect before and after (`groupRole`: what the user's groups give).
   */
  setRole(options: {
    userRef: string;
    role: MarketplaceRole | null;
    groupRole: MarketplaceRole;
    actor: string;
  }): Promise<RoleOverride | null>;
  listSuspensions(): Promise<Map<string, UserSuspension>>;
  getSuspension(userRef: string): Promise<UserSuspension | null>;
  /**
   * Suspends a user: from the next request on, the gateway refuses their keys
   * (it checks `user_suspensions` in the same statement that reserves budget).
   * A user who is suspended already is a ConflictError.
   */
  suspend(options: {
    userRef: string;
    reason: string;
    actor: string;
  }): Promise<UserSuspension>;
  /** Lifts a suspension; a user who is not suspended is a ConflictError. */
  reinstate(options: { userRef: string; actor: string }): Promise<void>;
  /**
   * Every user the marketplace has data about (subscriptions, keys, requests,
   * an override or a suspension), with their activity.
   */
  activity(): Promise<Map<string, UserActivity>>;
}

export * from './DatabaseUserAdminStore';
