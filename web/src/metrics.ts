/**
 * Prometheus text exposition (format 0.0.4) from gauges and counters that the processes
 * register as functions, so /metrics always reads live values and nothing is copied.
 */
export type MetricType = 'counter' | 'gauge';

interface Metric {
  name: string;
  help: string;
  type: MetricType;
  read: () => number;
}

/** One metric as read now, with its HELP text (for the operator status page). */
export interface MetricValue {
  name: string;
  type: MetricType;
  help: string;
  value: number;
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  register(name: string, type: MetricType, help: string, read: () => number): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(name))
      throw new Error(`metric name ${name} is not a Prometheus name`);
    this.metrics.push({ name, type, help, read });
  }

  /** Every metric's current value, in registration order. */
  snapshot(): MetricValue[] {
    return this.metrics.map((m) => ({ name: m.name, type: m.type, help: m.help, value: m.read() }));
  }

  render(): string {
    let out = '';
    for (const m of this.metrics) {
      out += `# HELP ${m.name} ${m.help}\n# TYPE ${m.name} ${m.type}\n${m.name} ${m.read()}\n`;
    }
    return out;
  }
}
