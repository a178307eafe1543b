export { renderReport, type ReportInput } from './render.ts';
