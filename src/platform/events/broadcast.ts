/**
 * Messages every node of a deployment receives, such as "cancel turn X".
 * Delivery is best effort: a node that is reconnecting may miss one, so
 * whatever must happen also has a durable trace (a flag in the database)
 * that the receiver would find on its own, later.
 */
export interface Broadcast {
  publish(topic: string, message: string): Promise<void>;
  /** Resolves once the subscription is active; the returned function ends it. */
  subscribe(topic: string, handler: (message: string) => void): Promise<() => void>;
  close(): Promise<void>;
}

/** One process: messages go straight to this process's subscribers. */
export class LocalBroadcast implements Broadcast {
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  async publish(topic: string, message: string): Promise<void> {
    for (const handler of this.handlers.get(topic) ?? []) handler(message);
  }

  async subscribe(topic: string, handler: (message: string) => void): Promise<() => void> {
    const handlers = this.handlers.get(topic) ?? new Set();
    handlers.add(handler);
    this.handlers.set(topic, handlers);
    return () => {
      handlers.delete(handler);
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
