import { ConfigError, loadConfig } from './config.js';
import { withDotenv } from './environment.js';
import { limitHeapGrowth } from './platform/runtime/heap-growth.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(withDotenv(process.env, process.cwd()));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  limitHeapGrowth(config.server.heapGrowthPercent);
  const server = await startServer(config);
  const { logger } = server.container;
  if (server.bootstrapped) {
    const { organization, apiKey } = server.bootstrapped;
    logger.info({ orgId: organization.id, keyId: apiKey.id }, 'created the first organization');
    if (!config.bootstrap.adminKey) {
      // Printed once, to stdout and never to the log stream: it is not stored anywhere.
      process.stdout.write(
        `\nAgentry created organization ${organization.id} ("${organization.name}").\n` +
          `Its first API key is shown only now; store it safely:\n\n  ${apiKey.secret}\n\n`,
      );
    }
  }
  logger.info({ url: server.url, database: config.database.dialect }, 'Agentry is listening');

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    server.stop().then(
      () => {
        logger.info('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`Agentry failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
