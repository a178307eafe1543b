import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, run, tempDir } from '@airbox/testkit';
import { describe, expect, it } from 'vitest';
import {
  CalibrationError,
  evaluate,
  linear,
  METHODS,
  renderReport,
  type EvalReport,
  type Method,
  type Pair,
  type PairFile,
} from '../src/index.ts';
import { clipLine } from '../src/report/scatter.ts';
import { conditions, withReference } from './synthetic.ts';

const HOSTILE_SITE = '<script>alert("site")</script>';
const HOSTILE_FILE = 'test<img src=x onerror=alert(1)>.csv';

/** A sensor that reads high and grows with humidity, as Plantower sensors do. */
const truth = (r: { rawPm25UgM3: number; rhPct: number; temperatureC: number }, i: number) =>
  r.rawPm25UgM3 / (1.4 + r.rhPct / 200) + 0.05 * r.temperatureC + (i % 5) * 0.3;

function pairFile(source: string, pairs: Pair[]): PairFile {
  return {
    source,
    format: 'generic',
    pairs,
    rows: pairs.length,
    skippedRows: 0,
    sites: [...new Set(pairs.map((p) => p.site))],
  };
}

const train = pairFile('train.csv', withReference(conditions(['A', 'B', 'C'], 20), truth));
// Two test pairs without RH: the RH models (EPA, multilinear, κ-Köhler) cannot calibrate
// them, so their "after" plots have fewer points than the "before" ones.
const testPairs = withReference(conditions([HOSTILE_SITE, 'D'], 9), truth).map((p, i) =>
  i < 2 ? { ...p, rhPct: null } : p,
);
const test = pairFile(HOSTILE_FILE, testPairs);

/** A method whose fit always fails: its section reports the error and draws no plot. */
const broken: Method = {
  ...linear,
  id: 'broken@1',
  name: 'Always fails',
  fit: () => {
    throw new CalibrationError('singular-design', 'broken@1: the design is <singular>');
  },
};

const report: EvalReport = evaluate(train, test, [...METHODS, broken], { predictions: true });
const page = renderReport({
  report,
  title: 'Co-location <2026>',
  description: 'Synthetic pairs & a hostile site name.',
  generatedAt: '2026-11-27T00:00:00.000Z',
});

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

/** The markup of one method's section. */
function sectionOf(id: string): string {
  const start = page.indexOf(`<section class="method`, page.indexOf(`data-method="${id}"`) - 40);
  return page.slice(start, page.indexOf('</section>', start));
}

const VOID = new Set(['meta', 'br', 'link', 'img', 'input', 'hr']);

/** Every tag closed in order (SVG children may self-close), no stray `<` in text. */
function checkWellFormed(markup: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*(\/?)>/g;
  const body = markup.replace(/^<!DOCTYPE html>/, '');
  for (const [, closing, name = '', , selfClosing] of body.matchAll(tag)) {
    if (closing) expect(stack.pop(), `</${name}>`).toBe(name);
    else if (!selfClosing && !VOID.has(name)) stack.push(name);
  }
  expect(stack).toEqual([]);
  expect(body.replace(tag, '')).not.toMatch(/[<>]/);
}

describe('renderReport', () => {
  it('is one self-contained, well-formed page: no script, nothing fetched', () => {
    checkWellFormed(page);
    const tags = [...page.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)];
    const names = new Set(tags.map(([, name]) => name?.toLowerCase()));
    for (const fetching of ['script', 'link', 'img', 'iframe', 'object', 'embed', 'image', 'use']) {
      expect(names.has(fetching), `<${fetching}>`).toBe(false);
    }
    const attributes = tags.flatMap(([, , attrs = '']) => [...attrs.matchAll(/([\w:-]+)=/g)]);
    expect(
      attributes
        .map(([, name]) => name)
        .filter((n) => /^(src|href|xlink:href|on\w+)$/i.test(n ?? '')),
    ).toEqual([]);
    expect(page).not.toMatch(/@import|url\(|@font-face/);
    // A <style> element decodes no entities: its quotes must reach the browser as quotes.
    expect(page).toContain('"Segoe UI"');
    expect(page).toContain('content: " — picked"');
    // The one URL is the SVG namespace: an identifier, never fetched.
    expect(new Set(page.match(/https?:\/\/[^"\s]+/g))).toEqual(
      new Set(['http://www.w3.org/2000/svg']),
    );
  });

  it('draws every test pair in the before plot and every calibrated one in the after plot', () => {
    const fitted = report.methods.filter((m) => m.test !== undefined);
    expect(fitted).toHaveLength(METHODS.length);
    const circlesPerMethod = fitted.map((m) => testPairs.length + (m.test?.metrics.n ?? 0));
    expect(count(page, /<svg/g)).toBe(2 * fitted.length);
    expect(count(page, /<circle/g)).toBe(circlesPerMethod.reduce((a, b) => a + b, 0));
    const epa = sectionOf('epa-barkjohn-2021@1');
    expect(count(epa, /<circle/g)).toBe(2 * testPairs.length - 2);
    expect(count(epa, /class="one-to-one"/g)).toBe(2);
    expect(count(epa, /class="fit"/g)).toBe(2);
    const failed = sectionOf('broken@1');
    expect(count(failed, /<svg/g)).toBe(0);
    expect(failed).toContain(
      'broken@1: the design is &lt;singular&gt; (<code>singular-design</code>)',
    );
  });

  it('shows exactly the metrics evaluate() computed, with pass/fail per EPA target', () => {
    const decimals: Record<string, number> = {
      n: 0,
      r2: 3,
      slope: 3,
      rmseUgM3: 2,
      maeUgM3: 2,
      interceptUgM3: 2,
      nrmsePct: 1,
    };
    let cells = 0;
    for (const method of report.methods) {
      const section = sectionOf(method.id);
      for (const stage of ['test', 'loso'] as const) {
        const scored = method[stage];
        if (scored === undefined) continue;
        const rowAt = section.indexOf(`<tr data-stage="${stage}">`);
        const row = section.slice(rowAt, section.indexOf('</tr>', rowAt));
        for (const [, metric = '', value, text = ''] of row.matchAll(
          /data-metric="(\w+)"\s+data-value="([^"]*)"\s*>([^<]*)</g,
        )) {
          const expected = scored.metrics[metric as keyof typeof scored.metrics];
          expect(value, `${method.id} ${stage} ${metric}`).toBe(String(expected));
          expect(text.trim()).toBe(expected === null ? '—' : expected.toFixed(decimals[metric]));
          cells++;
        }
        const verdicts = [...row.matchAll(/data-target="(\w+)"\s*>\s*(pass|fail)\s*</g)];
        expect(verdicts.map(([, target]) => target)).toEqual([
          'slope',
          'intercept',
          'r2',
          'error',
          'all',
        ]);
        const fails = verdicts.filter(([, target, v]) => target !== 'all' && v === 'fail');
        // checkTargets lists one line per missed target.
        expect(fails).toHaveLength(scored.failedTargets.length);
        expect(verdicts.at(-1)?.[2]).toBe(scored.meetsTargets ? 'pass' : 'fail');
      }
    }
    // 7 numbers per row, test and LOSO rows of the six methods that could be fitted.
    expect(cells).toBe(7 * 2 * METHODS.length);
  });

  it('escapes every string from the input: site, file, title, messages', () => {
    expect(page).not.toContain(HOSTILE_SITE);
    expect(page).toContain('&lt;script&gt;alert(&quot;site&quot;)&lt;/script&gt;');
    expect(page).toContain('test&lt;img src=x onerror=alert(1)&gt;.csv');
    expect(page).toContain('<title>Co-location &lt;2026&gt;</title>');
    expect(page).toContain('Synthetic pairs &amp; a hostile site name.');
  });

  it('names the picked method and why', () => {
    expect(page).toContain(`data-picked="${report.picked.id}"`);
    expect(page).toContain(`Why: ${report.picked.reason}.`);
    expect(sectionOf(report.picked.id)).toMatch(/^<section class="method is-picked"/);
  });

  it('refuses a report made without the per-pair predictions, saying how to make one', () => {
    expect(() => renderReport({ report: evaluate(train, test) })).toThrow(/predictions: true/);
  });

  it('clips the fit line to the plot square', () => {
    expect(clipLine(1, 0, 0, 50)).toEqual([0, 0, 50, 50]);
    expect(clipLine(2, 10, 0, 50)).toEqual([0, 10, 20, 50]);
    expect(clipLine(-1, 40, 0, 50)).toEqual([0, 40, 40, 0]);
    expect(clipLine(0, 60, 0, 50)).toBeNull();
  });
});

const chromium = await requireBinary('chromium');

describe.skipIf(chromium)('the report in a real browser (Debian chromium)', () => {
  it('parses offline into the plots and points it was written with, and no script', async () => {
    const dir = tempDir('report');
    try {
      const file = join(dir.path, 'report.html');
      writeFileSync(file, page);
      const { code, stdout } = await run(
        'chromium',
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--dump-dom',
          `file://${file}`,
        ],
        { timeoutMs: 60_000 },
      );
      expect(code).toBe(0);
      // The DOM as parsed: a markup error would have moved, merged or dropped elements.
      expect(count(stdout, /<svg/g)).toBe(count(page, /<svg/g));
      expect(count(stdout, /<circle/g)).toBe(count(page, /<circle/g));
      expect(count(stdout, /<section/g)).toBe(report.methods.length);
      expect(stdout).not.toMatch(/<script/i);
    } finally {
      dir.remove();
    }
  });
});
