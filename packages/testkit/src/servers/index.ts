export { startManagedServer, type ManagedServerOptions, type TestServer } from './managed.ts';
export { startInfluxd } from './influxd.ts';
export { startVictoriaMetrics } from './victoria-metrics.ts';
export { startRedis } from './redis.ts';
export { startHaproxy } from './haproxy.ts';
export * from './configs.ts';
export { startPostgres, postgresBinDir, requirePostgres, type PostgresServer } from './postgres.ts';
export { startSmtpServer, type ReceivedMail, type TestSmtpServer } from './smtp.ts';
