import { describe, expect, it } from 'vitest';
import { commandUses, pythonModuleOf, scriptOf } from './command-words.ts';
import { installProgram, installPythonModule } from './debian-packages.ts';
import { pythonImports } from './python-imports.ts';
import { checkNode } from './machine-checks.ts';
import { checkStore } from './store-checks.ts';
import { postgresTestUrl } from '../testing/postgres.ts';

describe('what commands need', () => {
  it('finds the programs of a command line, through wrappers and assignments', () => {
    expect(commandUses('cd src && OMP_NUM_THREADS=1 python3 -u train.py --fast | tee log; env A=1 timeout 10 node x.js')).toEqual([
      { program: 'python3', args: ['-u', 'train.py', '--fast'] },
      { program: 'tee', args: ['log'] },
      { program: 'node', args: ['x.js'] },
    ]);
    expect(scriptOf({ program: 'python3', args: ['-u', 'train.py'] })).toBe('train.py');
    expect(scriptOf({ program: '/opt/venv/bin/python', args: ['-m', 'pkg.train'] })).toBeNull();
    expect(pythonModuleOf({ program: 'python3', args: ['-m', 'pkg.train'] })).toBe('pkg');
    expect(commandUses('bash "run it.sh"')).toEqual([{ program: 'bash', args: ['run it.sh'] }]);
  });

  it('reads the imports of a Python script, marking indented ones optional', () => {
    const source = ['"""doc', 'import fake_in_docstring', '"""', 'import numpy as np, os.path', 'from sklearn.datasets import load_digits', 'from . import local', 'try:', '    import torch', 'except ImportError:', '    torch = None'].join('\n');
    expect(pythonImports(source)).toEqual([
      { module: 'numpy', optional: false },
      { module: 'os', optional: false },
      { module: 'sklearn', optional: false },
      { module: 'torch', optional: true },
    ]);
  });

  it('says which Debian package to install', () => {
    expect(installProgram('bwrap')).toBe('apt-get install bubblewrap');
    expect(installProgram('sbatch')).toBe('apt-get install slurm-client');
    expect(installPythonModule('sklearn')).toBe('apt-get install python3-sklearn (or pip install scikit-learn)');
    expect(installPythonModule('transformers')).toContain('pip install transformers');
  });

  it('checks Node.js against the engines range', () => {
    expect(checkNode('20.18.0').status).toBe('fail');
    expect(checkNode('22.1.0').status).toBe('ok');
  });

  it('reports a PostgreSQL store that does not connect, with what to check', async () => {
    const finding = await checkStore('postgres://nobody:secret@127.0.0.1:1/none');
    expect(finding).toMatchObject({ area: 'store', status: 'fail' });
    expect(finding.detail).not.toContain('secret');
    expect(finding.fix).toMatch(/running and reachable/);
  });

  const server = postgresTestUrl();
  it.skipIf(server.url === null)(`connects to a running PostgreSQL${server.reason ? ` (${server.reason})` : ''}`, async () => {
    expect(await checkStore(server.url!)).toMatchObject({ status: 'ok' });
  });
});
