// The "program": reads its coordinates and writes them as the artifact.
import { readFileSync, writeFileSync } from 'node:fs';
const program = JSON.parse(readFileSync('program.json', 'utf8'));
readFileSync(`${process.env.AUTOLAB_DATA}/train.json`, 'utf8');
writeFileSync(`${process.env.AUTOLAB_ARTIFACTS}/model.json`, JSON.stringify({ x: program.x }));
console.log(`trained with x=${JSON.stringify(program.x)}`);
