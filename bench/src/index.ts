// The benchmarks behind `airbox bench …`. The command loads this module only when a bench
// runs, so nothing here (nor the test servers it starts) is part of the shipped runtime.
export { runDecodeBench, type DecodeBenchResult } from './decode-bench.ts';
export { runIngestBench } from './ingest-bench.ts';
export { runScaleoutBench, startRedisServer } from './scaleout-bench.ts';
export { runSimBench } from './sim-bench.ts';
export { describeApiBench, runApiBench } from './api-bench.ts';
export { runSurfaceBench, type SurfaceBenchResult } from './surface-bench.ts';
export { runSoak, type SoakResult } from './soak.ts';
// Load generation, for tests that flood a real serve.
export { connectAll, runLoad, type LoadClient, type LoadPlan } from './load.ts';
export {
  ATTACK_NAMES,
  isAttackName,
  runAttackBench,
  type AttackBenchResult,
  type AttackName,
} from './attack-bench.ts';
export {
  RECONNECT_TARGETS,
  runReconnectBench,
  type ReconnectBenchResult,
} from './reconnect-bench.ts';
export { REGISTRY_KINDS, isRegistryKind, type RegistryKind } from './reconnect/registry.ts';
export { describeReconnect } from './reconnect/describe.ts';
export {
  FULL_LAG_SIZES,
  LAG_TARGETS,
  runLagBench,
  type LagBenchResult,
  type LagSizes,
} from './lag-bench.ts';
export {
  FULL_REFIT_SIZES,
  runRefitBench,
  type RefitBenchResult,
  type RefitSizes,
} from './refit-bench.ts';
export {
  describeAttack,
  describeLag,
  describeRefit,
  describeDecode,
  describeIngest,
  describeScaleout,
  describeSim,
  describeSoak,
  describeSurface,
  describeHealth,
} from './describe.ts';
export {
  ARCHIVE_TARGETS,
  describeArchive,
  runArchiveBench,
  type ArchiveBenchResult,
} from './archive-bench.ts';
export { HEALTH_TARGETS, runHealthBench, type HealthBenchResult } from './health-bench.ts';
