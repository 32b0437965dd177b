/**
 * A change the gateway instances tell each other about, so that what they hold
 * in memory stays fresh without polling.
 */
export type GatewayEvent =
  /** Services changed (published, approved, unpublished, edited): reload the snapshot. */
  | { type: 'services.changed'; origin?: string }
  /** Forget cached grants: of one key, one subscription, or all. */
  | {
      type: 'grants.changed';
      keyId?: string;
      subscriptionId?: string;
      origin?: string;
    };

/** Change notifications: in this process, or across instances through Redis. */
export interface GatewayEventBus {
  publish(event: GatewayEvent): Promise<void>;
  /** Handlers see events of every instance, this one's included. */
  subscribe(handler: (event: GatewayEvent) => void): () => void;
  close(): Promise<void>;
}
