import { Redis } from 'ioredis';
import {
  connectTestRedis,
  describeWithRedis,
  REDIS_NOTE,
  quietLogger,
  testPrefix,
} from '../__testUtils__/redis';
import { RedisEventBus } from './RedisEventBus';
import { GatewayEvent } from './types';

describeWithRedis(`RedisEventBus${REDIS_NOTE}`, () => {
  const connections: Redis[] = [];
  afterEach(() => {
    for (const c of connections.splice(0)) {
      c.disconnect();
    }
  });

  async function bus(keyPrefix: string) {
    const publisher = await connectTestRedis();
    const subscriber = await connectTestRedis();
    connections.push(publisher, subscriber);
    const b = new RedisEventBus({
      publisher,
      subscriber,
      logger: quietLogger(),
      keyPrefix,
    });
    // Wait for the SUBSCRIBE to be in place.
    await new Promise(r => setTimeout(r, 100));
    return b;
  }

  it('delivers an event published on one instance to every instance', async () => {
    const prefix = testPrefix();
    const a = await bus(prefix);
    const b = await bus(prefix);
    const other = await bus(testPrefix());
    const seen = { a: [] as GatewayEvent[], b: [] as GatewayEvent[] };
    const strangers: GatewayEvent[] = [];
    a.subscribe(e => seen.a.push(e));
    b.subscribe(e => seen.b.push(e));
    other.subscribe(e => strangers.push(e));
    await a.publish({ type: 'grants.changed', keyId: 'k1' });
    await new Promise(r => setTimeout(r, 200));
    expect(seen.a).toEqual([{ type: 'grants.changed', keyId: 'k1' }]);
    expect(seen.b).toEqual([{ type: 'grants.changed', keyId: 'k1' }]);
    expect(strangers).toEqual([]);
  });
});
