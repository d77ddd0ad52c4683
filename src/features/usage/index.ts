export { PriceTable, lineItemsJson, priceOverridesSchema, type ModelPrice, type PricedUsage, type UsageLineItem } from './price-table.js';
export { UsageRecorder, type UsageEvent } from './usage-recorder.js';
export { databaseUsageStore, threadUsageStore, type UsageBalances, type UsageStore } from './usage-store.js';
export { UsageService } from './usage.service.js';
export { usageQuery, usageReportSchema } from './usage.schemas.js';
