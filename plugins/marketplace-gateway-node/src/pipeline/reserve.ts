import { GatewayError } from '../errors';
import type { ParsedCall, ProtocolAdapter } from '../protocols/types';
import { budgetExceededError } from './budgets';
import type { Pipeline } from './call';
import type {
  GatewayLedger,
  GatewayReservation,
  GatewayService,
  KeyGrant,
} from './ports';
import { LEDGER_UNAVAILABLE, REJECTIONS, suspendedError } from './rejections';

/** Step 4: holds the call's worst-case cost in the ledger. */
export async function reserve<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
  requestId: string,
  grant: KeyGrant,
  service: GatewayService,
  parsed: ParsedCall,
  maxCompletion: number,
  protocol: Pick<ProtocolAdapter, 'protocol'> = {},
): Promise<R> {
  let reserved: Awaited<ReturnType<GatewayLedger<R>['reserve']>>;
  try {
    reserved = await pipeline.options.ledger.reserve({
      requestId,
      grant,
      providerRef: service.providerRef,
      model: service.name,
      stream: parsed.stream,
      pricing: service.entity.spec.pricing,
      promptTokens: parsed.promptTokens,
      maxCompletionTokens: maxCompletion,
      protocol: protocol.protocol ?? 'openai-chat',
    });
  } catch (error) {
    if (error instanceof GatewayError) {
      throw error;
    }
    pipeline.logger.error(
      `Could not reserve budget for request ${requestId}: ${error}`,
    );
    throw LEDGER_UNAVAILABLE;
  }
  if (!reserved.ok) {
    if (reserved.budget) {
      throw budgetExceededError(reserved.budget, service.name);
    }
    throw reserved.reason === 'user_suspended'
      ? suspendedError(reserved.suspensionReason)
      : REJECTIONS[reserved.reason];
  }
  return reserved.reservation;
}
