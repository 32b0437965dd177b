import type { Call, Failure, Pipeline } from './call';
import type { GatewayReservation, Settlement } from './ports';

/**
 * Step 6: settles a call into exactly one ledger row, and counts its
 * completion tokens against the tokens-per-minute limit.
 */
export function meter<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
  call: Call<R>,
  settlement: Omit<Settlement, 'finishedAt'>,
) {
  const { reservation, requestId } = call;
  // What the ledger bills at most (boundUsage): the rate limit counts the same.
  const completion = settlement.charge
    ? Math.min(
        Math.max(0, settlement.completionTokens),
        Math.max(0, reservation.maxCompletionTokens),
      )
    : 0;
  pipeline.limiter.record(call.grant.subscriptionId, completion);
  pipeline.options.ledger
    .settle(reservation, {
      ...settlement,
      waitMs: call.waitMs,
      finishedAt: Date.now(),
    })
    .catch(e =>
      pipeline.logger.error(
        `Could not write the ledger row of ${requestId}: ${e}`,
      ),
    );
}

/** A call that failed: one ledger row, nothing charged. */
export function meterFailure<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
  call: Call<R>,
  status: Failure,
  httpStatus: number,
  errorCode: string,
) {
  meter(pipeline, call, {
    status,
    httpStatus,
    errorCode,
    promptTokens: 0,
    completionTokens: 0,
    tokenSource: 'tokenizer',
    charge: false,
    upstreamLatencyMs: Math.round(performance.now() - call.t0),
  });
}
