import type { z } from 'zod';
import { aiGatewayParametersSchema } from '../ai-gateways/index.js';

/** One item of `protocolFunctions`; sources must serve the same shape, so the schema is shared. */
export const protocolFunctionSchema = aiGatewayParametersSchema.shape.protocolFunctions.unwrap().element;
export type ProtocolFunction = z.infer<typeof protocolFunctionSchema>;
