import { trustedHtml } from '@airbox/html';

/**
 * The report's only style sheet, inline: the file must open offline, so no font or CSS is
 * fetched — system fonts, and colours that survive printing in grey. Our own constant, not
 * input, so trusted as it is: a <style> element decodes no entities, and an escaped quote would
 * break the CSS.
 */
export const STYLES = trustedHtml(`
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
body { margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1f24; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05rem; }
.meta, .note, figcaption { color: #57606a; font-size: 0.9rem; }
.picked { background: #eef6ee; border-left: 4px solid #2e7d32; padding: 0.6rem 1rem; }
.picked.fallback { background: #fff8e1; border-left-color: #b26a00; }
section.method.is-picked h2::after { content: " — picked"; color: #2e7d32; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f6f8fa; }
td.pass { color: #1a7f37; }
td.fail { color: #cf222e; font-weight: 600; }
.plots { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; }
svg { background: #fff; }
svg .frame { fill: none; stroke: #57606a; }
svg .grid { stroke: #eaeef2; }
svg .tick, svg .label { font-size: 10px; fill: #57606a; }
svg .label { font-size: 11px; }
svg .points circle { fill: #0969da; fill-opacity: 0.45; }
svg .one-to-one { stroke: #57606a; stroke-dasharray: 4 3; }
svg .fit { stroke: #cf222e; stroke-width: 1.5; }
.key-1to1 { border-top: 2px dashed #57606a; }
.key-fit { border-top: 2px solid #cf222e; }
.key-1to1, .key-fit { display: inline-block; width: 1.5rem; vertical-align: middle; }
code { font-size: 0.85rem; }
`);
