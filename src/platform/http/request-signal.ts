import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * One signal per request that fires when the client goes away before the
 * response is complete, or when the server shuts down. Node 20 has no such
 * signal built in, so it watches the response's `close`.
 */
export function requestSignal(request: FastifyRequest, reply: FastifyReply, shutdown?: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
  };
  reply.raw.once('close', onClose);
  request.raw.once('aborted', onClose);
  return shutdown ? AbortSignal.any([controller.signal, shutdown]) : controller.signal;
}
