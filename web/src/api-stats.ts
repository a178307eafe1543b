import type { MetricsRegistry } from './metrics.ts';

/** Counters of the API itself, read live by /metrics. */
export class ApiStats {
  liveClients = 0;
  liveDropped = 0;
  rateLimited = 0;
  csvRows = 0;

  register(metrics: MetricsRegistry): void {
    metrics.register(
      'airbox_api_live_clients',
      'gauge',
      'Clients connected to the live stream (WebSocket and SSE)',
      () => this.liveClients,
    );
    metrics.register(
      'airbox_api_live_dropped_total',
      'counter',
      'Live clients dropped because they read too slowly (close 4008)',
      () => this.liveDropped,
    );
    metrics.register(
      'airbox_api_rate_limited_total',
      'counter',
      'Requests refused with 429 by the per-IP rate limit',
      () => this.rateLimited,
    );
    metrics.register(
      'airbox_api_csv_rows_total',
      'counter',
      'Rows streamed in CSV series exports',
      () => this.csvRows,
    );
  }
}
