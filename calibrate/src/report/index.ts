export { renderReport, type ReportInput } from './render.ts';
export { escapeHtml } from './html.ts';
