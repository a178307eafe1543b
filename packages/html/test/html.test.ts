import { describe, expect, it } from 'vitest';
// `markup`, not `html`: Prettier formats html`…` templates as HTML, which would change the
// exact strings these tests compare.
import { escapeHtml, html as markup, trustedHtml } from '../src/index.ts';

describe('html', () => {
  it('escapes & < > " and \' in interpolated strings, not in the literal parts', () => {
    const name = `<script>alert("x" & 'y')</script>`;
    expect(markup`<td title="${name}">${name}</td>`.text).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;">' +
        '&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;</td>',
    );
  });

  it('writes numbers as text, and null and undefined as nothing', () => {
    expect(markup`<b>${3.5}</b>${null}${undefined}<i>${0}</i>`.text).toBe('<b>3.5</b><i>0</i>');
  });

  it('nests: markup made by the tag goes in as it is, escaped once', () => {
    const inner = markup`<em>${'a < b'}</em>`;
    expect(markup`<p>${inner}</p>`.text).toBe('<p><em>a &lt; b</em></p>');
    expect(markup`<div>${markup`<p>${inner}</p>`}</div>`.text).toBe(
      '<div><p><em>a &lt; b</em></p></div>',
    );
  });

  it('joins arrays (and nested arrays) of fragments and text with no separator', () => {
    const items = ['<1>', '2&'].map((t) => markup`<li>${t}</li>`);
    expect(markup`<ul>${items}</ul>`.text).toBe('<ul><li>&lt;1&gt;</li><li>2&amp;</li></ul>');
    expect(markup`${[['<', markup`<br>`], [], null, 'x']}`.text).toBe('&lt;<br>x');
  });

  it('inserts trusted constant markup unchanged, and prints as its text', () => {
    const css = trustedHtml('a > b { content: "&" }');
    expect(markup`<style>${css}</style>`.text).toBe('<style>a > b { content: "&" }</style>');
    expect(String(markup`<p>${'&'}</p>`)).toBe('<p>&amp;</p>');
  });

  it('escapeHtml escapes the same five characters and leaves the rest', () => {
    expect(escapeHtml(`&<>"' 台北 \u2028`)).toBe('&amp;&lt;&gt;&quot;&#39; 台北 \u2028');
  });
});
