import { describe, expect, it } from 'vitest';
import { buildRunEnv } from './safe-env.ts';

const driverEnv = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/me',
  LANG: 'C.UTF-8',
  TERM: 'xterm',
  OPENAI_API_KEY: 'sk-secret',
  ANTHROPIC_API_KEY: 'sk-ant-secret',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  CUDA_HOME: '/usr/local/cuda',
  LD_LIBRARY_PATH: '/usr/local/cuda/lib64',
};

describe('buildRunEnv', () => {
  it('keeps only the allow-listed variables that are set, and no secrets', () => {
    expect(buildRunEnv({ from: driverEnv })).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/me',
      LANG: 'C.UTF-8',
      TERM: 'xterm',
    });
  });

  it('adds passed names when set, ignores passed names that are unset', () => {
    const env = buildRunEnv({ from: driverEnv, pass: ['CUDA_HOME', 'LD_LIBRARY_PATH', 'NOT_SET_ANYWHERE'] });
    expect(env.CUDA_HOME).toBe('/usr/local/cuda');
    expect(env.LD_LIBRARY_PATH).toBe('/usr/local/cuda/lib64');
    expect('NOT_SET_ANYWHERE' in env).toBe(false);
    expect('OPENAI_API_KEY' in env).toBe(false);
  });

  it('passes an API key only when it is named explicitly', () => {
    expect(buildRunEnv({ from: driverEnv, pass: ['OPENAI_API_KEY'] }).OPENAI_API_KEY).toBe('sk-secret');
    expect(buildRunEnv({ from: driverEnv, pass: ['OPENAI_API_KEY'] }).ANTHROPIC_API_KEY).toBeUndefined();
  });

  it('applies set over passed values and extra over everything', () => {
    const env = buildRunEnv({
      from: driverEnv,
      pass: ['CUDA_HOME'],
      set: { CUDA_HOME: '/opt/cuda', SEED: '1', PATH: '/task/bin' },
      extra: { SEED: '2', CUDA_VISIBLE_DEVICES: '3' },
    });
    expect(env).toMatchObject({ CUDA_HOME: '/opt/cuda', SEED: '2', PATH: '/task/bin', CUDA_VISIBLE_DEVICES: '3' });
  });

  it('reads process.env by default and returns a fresh object', () => {
    const env = buildRunEnv();
    expect(env.PATH).toBe(process.env.PATH);
    env.PATH = 'changed';
    expect(process.env.PATH).not.toBe('changed');
  });
});
