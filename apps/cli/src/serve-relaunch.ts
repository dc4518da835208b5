// Imported first by main.ts, for its side effect: `authtrail serve` relaunches itself under
// its memory defaults (memory-defaults.ts) before the rest of the CLI — the embedded
// ClickHouse among it — is loaded.
import { applyMemoryDefaultsToServe } from './memory-defaults';

applyMemoryDefaultsToServe();
