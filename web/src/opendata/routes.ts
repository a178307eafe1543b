import { getRoute, type RouteContext } from '../routes/define.ts';
import { dcatCatalogue, schemaOrgDataset } from './catalogue.ts';
import { baseUrl, lassFeedRoute } from './lass-feed.ts';

/** /opendata/…: the LASS-compatible feeds and the catalogues harvesters read. */
export function opendataRoutes(ctx: RouteContext): void {
  lassFeedRoute(ctx);
  const { openData } = ctx.options;
  getRoute(
    ctx,
    {
      url: '/opendata/dcat.jsonld',
      tag: 'open data',
      summary: 'the data set described in DCAT-AP (JSON-LD), for data portals to harvest',
      description:
        'A `dcat:Catalog` with one `dcat:Dataset` (titles and descriptions in English and zh-TW, licence, publisher, spatial extent, update frequency) and its distributions: the LASS-format feed, the CSV series and the OpenAPI document.',
      responses: { 200: { description: 'the catalogue', media: ['application/ld+json'] } },
    },
    async (_input, req, reply) => {
      void reply.type('application/ld+json; charset=utf-8');
      return dcatCatalogue(baseUrl(req), openData);
    },
  );
  getRoute(
    ctx,
    {
      url: '/opendata/dataset.jsonld',
      tag: 'open data',
      summary: 'the data set as a schema.org Dataset (JSON-LD), for dataset search',
      responses: { 200: { description: 'the description', media: ['application/ld+json'] } },
    },
    async (_input, req, reply) => {
      void reply.type('application/ld+json; charset=utf-8');
      return schemaOrgDataset(baseUrl(req), openData);
    },
  );
}
