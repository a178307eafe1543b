/**
 * Prometheus text exposition (format 0.0.4) from gauges and counters that the processes
 * register as functions, so /metrics always reads live values and nothing is copied.
 */
export type MetricType = 'counter' | 'gauge';

/** Label name → value, e.g. `{ quantile: '0.99' }`: one series of a metric family. */
export type MetricLabels = Readonly<Record<string, string>>;

interface Metric {
  name: string;
  /** `{quantile="0.99"}`, or '' for a metric without labels. */
  labels: string;
  help: string;
  type: MetricType;
  read: () => number;
}

/** One metric as read now, with its HELP text (for the operator status page). */
export interface MetricValue {
  /** The series as /metrics names it, labels included: `name{label="value"}`. */
  name: string;
  type: MetricType;
  help: string;
  value: number;
}

const NAME = /^[a-z_][a-z0-9_]*$/;

/** `{a="x",b="y"}` with the exposition format's escapes (backslash, quote, newline). */
function labelText(name: string, labels: MetricLabels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  const parts = entries.map(([k, v]) => {
    if (!NAME.test(k)) throw new Error(`label ${k} of metric ${name} is not a Prometheus name`);
    return `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  });
  return `{${parts.join(',')}}`;
}

export class MetricsRegistry {
  /** By family name, in order of first registration; a family's series in theirs. */
  private readonly families = new Map<string, Metric[]>();

  /**
   * Registers one series. Several with the same name and type but other labels form one
   * family (one HELP and TYPE line, as the exposition format wants them together).
   */
  register(
    name: string,
    type: MetricType,
    help: string,
    read: () => number,
    labels?: MetricLabels,
  ): void {
    if (!NAME.test(name)) throw new Error(`metric name ${name} is not a Prometheus name`);
    const family = this.families.get(name) ?? [];
    if (family[0] !== undefined && family[0].type !== type) {
      throw new Error(`metric ${name} is a ${family[0].type}; cannot add a ${type} series`);
    }
    family.push({ name, labels: labelText(name, labels), type, help, read });
    this.families.set(name, family);
  }

  /** Every series' current value, in registration order (families together). */
  snapshot(): MetricValue[] {
    return [...this.families.values()].flatMap((family) =>
      family.map((m) => ({ name: m.name + m.labels, type: m.type, help: m.help, value: m.read() })),
    );
  }

  render(): string {
    let out = '';
    for (const [name, family] of this.families) {
      out += `# HELP ${name} ${family[0]?.help ?? ''}\n# TYPE ${name} ${family[0]?.type ?? 'gauge'}\n`;
      for (const m of family) out += `${name}${m.labels} ${m.read()}\n`;
    }
    return out;
  }
}
