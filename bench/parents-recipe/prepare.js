// Writes the held-out part of the evaluation: where each coordinate's two basins lie.
import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync(process.env.AUTOLAB_DATA, { recursive: true });
mkdirSync(process.env.AUTOLAB_HOLDOUT, { recursive: true });
writeFileSync(`${process.env.AUTOLAB_DATA}/train.json`, JSON.stringify({ hint: 'three coordinates, each between -8 and 8' }));
writeFileSync(`${process.env.AUTOLAB_HOLDOUT}/basins.json`, JSON.stringify({ near: 1, nearFloor: 0.5, far: -4, farWidth: 0.3 }));
