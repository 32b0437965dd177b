export * from './availability';
export * from './browse';
export * from './projection';
export {
  HIGH_THROUGHPUT_TOKENS_PER_SECOND,
  isOpenNow,
  LOW_LATENCY_TTFT_P95_MS,
} from './filterSlots';
