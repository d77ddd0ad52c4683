import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { type Container, createContainer } from './container.js';
import type { CreatedOrganization } from './features/organizations/index.js';
import type { AppInstance } from './platform/http/create-server.js';
import type { Logger } from './platform/logging/logger.js';

export interface RunningServer {
  readonly app: AppInstance;
  readonly container: Container;
  readonly url: string;
  /** The organization created on first start, with its first key; null on later starts. */
  readonly bootstrapped: CreatedOrganization | null;
  /** Stops accepting, lets in-flight requests finish (up to the shutdown timeout), then closes everything. */
  stop(): Promise<void>;
}

/** Starts Agentry: migrate, bootstrap, listen, start the job workers. `main.ts` and the tests share it. */
export async function startServer(config: Config, options: { logger?: Logger } = {}): Promise<RunningServer> {
  const container = await createContainer(config, options.logger ? { logger: options.logger } : {});
  let app: AppInstance | undefined;
  try {
    const bootstrapped = await container.organizations.bootstrap({
      name: config.bootstrap.organizationName,
      ...(config.bootstrap.adminKey ? { adminKey: config.bootstrap.adminKey } : {}),
    });
    app = await buildApp(container);
    await app.listen({ port: config.server.port, host: config.server.host });
    if (config.jobs.runWorkers) container.jobWorker.start();
    await container.turns.listenForCancels();
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const running = app;

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        container.beginShutdown();
        const force = setTimeout(() => running.server.closeAllConnections(), config.server.shutdownTimeoutMs);
        force.unref();
        try {
          await running.close();
        } finally {
          clearTimeout(force);
          await container.close();
        }
      })();
      return stopping;
    };
    return { app: running, container, url: `http://${host}:${address.port}`, bootstrapped, stop };
  } catch (error) {
    await app?.close();
    await container.close();
    throw error;
  }
}
