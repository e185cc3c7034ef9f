// Evaluator-owned. A deceptive landscape: per coordinate, a near basin (its floor at
// nearFloor, one step from the baseline) and a far, better one (floor 0) behind a ridge
// that a lineage which only ever builds on its best trial cannot cross with small steps.
// Besides the loss it reports the program's mean coordinate (`x_mean`), a behaviour
// descriptor for MAP-Elites' bins (not an objective).
import { readFileSync } from 'node:fs';
const model = JSON.parse(readFileSync(`${process.env.AUTOLAB_ARTIFACTS}/model.json`, 'utf8'));
const b = JSON.parse(readFileSync(`${process.env.AUTOLAB_HOLDOUT}/basins.json`, 'utf8'));
if (!Array.isArray(model.x) || model.x.some((v) => typeof v !== 'number')) { console.log('{"note": "no program"}'); process.exit(0); }
const h = (v) => Math.min((v - b.near) ** 2 + b.nearFloor, b.farWidth * (v - b.far) ** 2);
console.log(JSON.stringify({ loss: model.x.reduce((sum, v) => sum + h(v), 0), x_mean: model.x.reduce((sum, v) => sum + v, 0) / model.x.length }));
