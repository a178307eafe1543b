// aedes-persistence-level ships no types. It takes a `level` database and returns an
// Aedes persistence (callback API wrapping its async one).
declare module 'aedes-persistence-level' {
  import type { Level } from 'level';
  export interface AedesLevelPersistence {
    destroy(): Promise<void> | void;
  }
  export default function levelPersistence(db: Level): AedesLevelPersistence;
}
