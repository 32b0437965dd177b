import type { Redis } from 'ioredis';
import type { GatewayLogger } from '../pipeline/ports';
import { GatewayEvent, GatewayEventBus } from './types';

/**
 * Change notifications across gateway instances through Redis pub/sub (one
 * channel). Every instance's handlers see every event, their own included.
 * While Redis is unreachable events stay local; the instances catch up with
 * a full reload when the subscription is back (`services.changed` and
 * `grants.changed` for everything), so nothing missed meanwhile stays stale.
 */
export class RedisEventBus implements GatewayEventBus {
  private readonly handlers = new Set<(event: GatewayEvent) => void>();
  private readonly channel: string;
  private wasDown = false;
  private closing = false;

  constructor(
    private readonly options: {
      /** For PUBLISH. */
      publisher: Redis;
      /** A connection of its own, in subscriber mode. */
      subscriber: Redis;
      logger: GatewayLogger;
      keyPrefix?: string;
    },
  ) {
    this.channel = `${options.keyPrefix ?? 'marketplace:gateway:'}events`;
    const { subscriber } = options;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) {
        return;
      }
      let event: GatewayEvent;
      try {
        event = JSON.parse(message);
      } catch {
        return;
      }
      this.deliver(event);
    });
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).catch(() => undefined);
      if (this.wasDown) {
        this.wasDown = false;
        options.logger.info(
          'Redis is reachable again: gateway instances share change notifications',
        );
        this.deliver({ type: 'services.changed' });
        this.deliver({ type: 'grants.changed' });
      }
    });
    subscriber.on('close', () => {
      if (!this.wasDown && !this.closing) {
        this.wasDown = true;
        options.logger.warn(
          'Lost the Redis connection: changes made on other gateway instances reach this one when it is back',
        );
      }
    });
    if (subscriber.status === 'ready') {
      subscriber.subscribe(this.channel).catch(() => undefined);
    }
  }

  private deliver(event: GatewayEvent) {
    for (const handler of this.handlers) {
      handler(event);
    }
  }

  async publish(event: GatewayEvent): Promise<void> {
    try {
      await this.options.publisher.publish(this.channel, JSON.stringify(event));
    } catch {
      // Redis is down: this instance still applies its own change.
      this.deliver(event);
    }
  }

  subscribe(handler: (event: GatewayEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.handlers.clear();
    this.options.subscriber.disconnect();
  }
}
