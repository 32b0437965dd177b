import { GatewayEvent, GatewayEventBus } from './types';

/** Change notifications within one process (one instance). */
export class MemoryEventBus implements GatewayEventBus {
  private readonly handlers = new Set<(event: GatewayEvent) => void>();

  async publish(event: GatewayEvent): Promise<void> {
    for (const handler of this.handlers) {
      handler(event);
    }
  }

  subscribe(handler: (event: GatewayEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
