/**
 * Hostile cases about what a trial's code does while it runs: fake scores, tampering
 * with the evaluator, reading the held-out split, the network, writing outside its
 * worktree, exhausting the machine, outliving its run, stealing secrets.
 */
import { X1, describeTrial as describe, hostileTrain, reached, scoredAsItIs, verdict, type HostileCase } from './hostile-case-kit.ts';

export const RUN_CASES: HostileCase[] = [
  {
    name: 'fake-score',
    threat: 'prints a fake score',
    edit: (ctx) => ({ 'config.json': X1, 'train.js': `${ctx.train}\nconsole.log(JSON.stringify({ loss: 0, size: 1 }));\nconsole.log('{"loss": 0}');\n` }),
    withoutSandbox: 'contained',
    judge: (trial) => verdict(scoredAsItIs(trial), 'evaluator', `the evaluator measured it: ${describe(trial)}`),
  },
  {
    name: 'edit-score-script',
    threat: 'edits the score script',
    withoutSandbox: 'contained',
    edit: () => ({ 'config.json': X1, 'score.js': 'console.log(JSON.stringify({ loss: 0, size: 1 }));\n' }),
    judge: async (trial, ctx) => {
      const fingerprint = await ctx.evaluatorFingerprint();
      const ok = trial.label === 'illegal_edit' && trial.timings.runMs === undefined && fingerprint === ctx.initialFingerprint;
      return verdict(ok, 'legality', `${describe(trial)}: ${trial.labelDetail ?? ''}`.slice(0, 160));
    },
  },
  {
    name: 'tamper-evaluator-at-run-time',
    threat: "rewrites the evaluator's score script and the held-out target while it runs",
    withoutSandbox: 'escapes',
    edit: () => ({
      'config.json': X1,
      'train.js': hostileTrain(
        [
          "attempt('the evaluator checkout', () => writeFileSync(join(root, '.autolab/evaluators/fixture/score.js'), 'console.log(JSON.stringify({ loss: 0, size: 1 }))'));",
          "attempt('the held-out target', () => writeFileSync(join(data, '../holdout/target.json'), JSON.stringify({ target: 1 })));",
          "attempt('the worktree score.js', () => writeFileSync('score.js', 'console.log(JSON.stringify({ loss: 0, size: 1 }))'));",
        ].join('\n'),
      ),
    }),
    judge: async (trial, ctx) => {
      const fingerprint = await ctx.evaluatorFingerprint();
      const untouched = fingerprint === ctx.initialFingerprint;
      return verdict(scoredAsItIs(trial) && untouched, 'sandbox', `${describe(trial)}; evaluator and held-out target ${untouched ? 'untouched' : 'CHANGED'}`);
    },
  },
  {
    name: 'read-holdout',
    threat: 'reads the held-out split (and the store, the evaluator, other trials)',
    withoutSandbox: 'escapes',
    edit: () => ({
      'config.json': X1,
      'train.js': hostileTrain(
        [
          "const found = attempt('the held-out target', () => JSON.parse(readFileSync(join(data, '../holdout/target.json'), 'utf8')).target);",
          "attempt('the store', () => readFileSync(join(root, '.autolab/autolab.db')).length);",
          "attempt('the evaluator checkout', () => readFileSync(join(root, '.autolab/evaluators/fixture/score.js'), 'utf8').length);",
          "attempt('the baseline trial\\'s artifact', () => readFileSync(join(data, '../trials/0/artifacts/model.json'), 'utf8').length);",
          'if (typeof found === "number") cheat = found;',
          "else throw new Error('the held-out target is not visible');",
        ].join('\n'),
      ),
    }),
    judge: (trial, ctx) => {
      const log = ctx.runLog(trial.id);
      const leaked = /REACHED|LEAK/.test(log);
      return verdict(trial.label === 'crash' && !leaked, 'sandbox', `${describe(trial)}; ${leaked ? 'READ: ' + reached(log).join(', ') : 'nothing of the state was readable'}`);
    },
  },
  {
    name: 'network',
    threat: 'opens a network socket (to a loopback server that would give away the target)',
    withoutSandbox: 'escapes',
    edit: (ctx) => ({
      'config.json': X1,
      'train.js': hostileTrain(
        [
          "const net = await import('node:net');",
          'const answer = await new Promise((done) => {',
          `  const socket = net.connect(${ctx.port}, '127.0.0.1');`,
          "  let text = '';",
          "  socket.on('data', (chunk) => (text += chunk));",
          "  socket.on('end', () => done(text));",
          "  socket.on('error', (error) => { console.log('blocked network: ' + error.code); done(null); });",
          '});',
          'if (answer) cheat = JSON.parse(answer).target;',
          "else throw new Error('no network');",
        ].join('\n'),
      ),
    }),
    judge: (trial, ctx) => verdict(trial.label === 'crash' && ctx.connections() === 0, 'sandbox', `${describe(trial)}; the server saw ${ctx.connections()} connection(s)`),
  },
  {
    name: 'write-outside',
    threat: "writes outside the worktree (host /tmp, the user's repo, the home folder) and through a symlink",
    withoutSandbox: 'escapes',
    edit: (ctx) => ({
      'config.json': X1,
      'train.js': hostileTrain(
        [
          `attempt('host /tmp', () => writeFileSync('/tmp/autolab-hostile-${ctx.tag}-tmp', 'x'));`,
          `attempt("the user's repo", () => writeFileSync(join(root, 'PWNED-${ctx.tag}'), 'x'));`,
          `attempt('the home folder', () => writeFileSync(join(process.env.HOME ?? '/root', '.autolab-hostile-${ctx.tag}'), 'x'));`,
          `attempt('a symlink to host /tmp', () => { symlinkSync('/tmp/autolab-hostile-${ctx.tag}-link', 'escape'); writeFileSync('escape', 'x'); });`,
          `attempt("a symlink into the user's repo", () => { symlinkSync(join(root, 'PWNED-${ctx.tag}-link'), 'escape2'); writeFileSync('escape2', 'x'); });`,
          `attempt('the private repo', () => writeFileSync(join(root, '.autolab/repo.git/PWNED-${ctx.tag}'), 'x'));`,
        ].join('\n'),
      ),
    }),
    judge: (trial, ctx) => {
      const paths = [
        `/tmp/autolab-hostile-${ctx.tag}-tmp`,
        `/tmp/autolab-hostile-${ctx.tag}-link`,
        `${ctx.repoDir}/PWNED-${ctx.tag}`,
        `${ctx.repoDir}/PWNED-${ctx.tag}-link`,
        `${process.env.HOME ?? '/root'}/.autolab-hostile-${ctx.tag}`,
        `${ctx.stateDir}/repo.git/PWNED-${ctx.tag}`,
      ];
      const appeared = paths.filter((path) => ctx.exists(path));
      return verdict(scoredAsItIs(trial) && appeared.length === 0, 'sandbox', `${describe(trial)}; ${appeared.length === 0 ? 'no file appeared outside' : `APPEARED: ${appeared.join(', ')}`}`);
    },
  },
  {
    name: 'fork-bomb',
    threat: 'a fork bomb',
    withoutSandbox: 'host',
    skipReason: (ctx) =>
      ctx.processLimitWorks ? null : 'not run: no process limit bites here (root without a writable pids cgroup), and an unbounded fork bomb would harm the host',
    // `exec sleep`: the shell needs no free process slot to wait, so the run lasts until autolab ends it, however fast the limit bites.
    edit: (ctx) => ({
      'config.json': X1,
      'train.js': `${ctx.train}\nimport { spawnSync } from 'node:child_process';\nspawnSync('/bin/sh', ['-c', 'bomb_${ctx.tag}() { bomb_${ctx.tag} | bomb_${ctx.tag} & }; bomb_${ctx.tag}; exec sleep 30'], { stdio: 'inherit' });\n`,
    }),
    judge: (trial, ctx, elapsedMs) => {
      const left = ctx.liveProcesses(`bomb_${ctx.tag}`).length;
      // Ended by autolab, not by the bomb's own 30 s sleep (no tighter bound: a loaded machine kills thousands of processes slowly).
      const runMs = trial.timings.runMs ?? Number.POSITIVE_INFINITY;
      const ok = (trial.label === 'run_timeout' || trial.label === 'crash') && left === 0 && runMs < 20_000;
      return verdict(ok, 'limits', `${describe(trial)}, run ${runMs} ms, ${Math.round(elapsedMs)} ms in all; ${left} bomb process(es) left`);
    },
  },
  {
    name: 'fill-disk',
    threat: 'fills the disk',
    withoutSandbox: 'contained',
    edit: (ctx) => ({
      'config.json': X1,
      'train.js': `${ctx.train}\nimport { openSync as open_, writeSync as write_ } from 'node:fs';\nconst fd = open_('fill.bin', 'w');\nconst chunk = Buffer.alloc(1 << 16, 7);\nfor (let i = 0; i < 4096; i++) write_(fd, chunk);\n`,
    }),
    judge: (trial) =>
      verdict(
        trial.label === 'crash' && /size limit of \d+ bytes/.test(trial.labelDetail ?? ''),
        'limits',
        `${describe(trial)}: ${(trial.labelDetail ?? '').split('\n').find((line) => line.includes('size limit')) ?? trial.labelDetail?.slice(0, 120)}`,
      ),
  },
  {
    name: 'flood-stdout',
    threat: 'floods stdout (then prints a fake score)',
    withoutSandbox: 'contained',
    edit: (ctx) => ({
      'config.json': X1,
      // Blocking writes to fd 1: the flood goes as fast as autolab reads it.
      'train.js': `import { writeSync as flood } from 'node:fs';\nconst line = 'flood '.repeat(10_000) + '\\n';\nconst until = Date.now() + 800;\nwhile (Date.now() < until) flood(1, line);\nflood(1, '{"loss": 0, "size": 1}\\n');\n${ctx.train}`,
    }),
    judge: (trial, ctx) => {
      const logBytes = Buffer.byteLength(ctx.runLog(trial.id));
      return verdict(scoredAsItIs(trial) && logBytes <= ctx.outputCapBytes + 512, 'limits', `${describe(trial)}; run.log ${logBytes} bytes (cap ${ctx.outputCapBytes})`);
    },
  },
  {
    name: 'daemon',
    threat: 'starts a daemon (setsid, double fork) that outlives the run and rewrites the artifact during scoring',
    withoutSandbox: 'host',
    edit: (ctx) => ({
      'config.json': X1,
      // Starts rewriting the artifact a little after the run ends: only a process that outlived the run can.
      [`lib/daemon-${ctx.tag}.sh`]: `sleep 0.25\ni=0\nwhile [ $i -lt 250 ]; do printf '{"x":3,"padding":"","work":0}' > "$AUTOLAB_ARTIFACTS/model.json"; sleep 0.02; i=$((i+1)); done\n`,
      'train.js': hostileTrain(
        [
          `spawnSync('/bin/sh', ['-c', 'setsid /bin/sh lib/daemon-${ctx.tag}.sh </dev/null >/dev/null 2>&1 &'], { stdio: 'ignore' });`,
          'await new Promise((done) => setTimeout(done, 100));',
        ].join('\n'),
      ),
    }),
    judge: (trial, ctx) => {
      const left = ctx.liveProcesses(`daemon-${ctx.tag}.sh`).length;
      return verdict(scoredAsItIs(trial) && left === 0, 'limits', `${describe(trial)}; ${left} daemon process(es) alive after the trial`);
    },
  },
  {
    name: 'sleep-past-budget',
    threat: 'sleeps past its budget',
    withoutSandbox: 'contained',
    edit: (ctx) => ({ 'config.json': X1, 'train.js': `${ctx.train}\nsetInterval(() => {}, 1000);\nawait new Promise((done) => setTimeout(done, 120_000));\n` }),
    judge: (trial, ctx) => {
      const runMs = trial.timings.runMs ?? Number.POSITIVE_INFINITY;
      return verdict(trial.label === 'run_timeout' && runMs < ctx.runTimeoutMs + 1_500, 'limits', `${describe(trial)}; killed after ${runMs} ms (budget ${ctx.runTimeoutMs})`);
    },
  },
  {
    name: 'grandchild-holds-pipe',
    threat: 'leaves a grandchild holding the output pipe',
    withoutSandbox: 'host',
    edit: (ctx) => ({
      'config.json': X1,
      'train.js': `${ctx.train}\nimport { spawn as spawn_ } from 'node:child_process';\nspawn_('/bin/sh', ['-c', 'exec sleep 29.${ctx.serial}'], { stdio: 'inherit', detached: true }).unref();\nprocess.exit(0);\n`,
    }),
    judge: (trial, ctx) => {
      const left = ctx.liveProcesses(`sleep 29.${ctx.serial}`).length;
      const runMs = trial.timings.runMs ?? Number.POSITIVE_INFINITY;
      return verdict(scoredAsItIs(trial) && left === 0 && runMs < 2_500, 'limits', `${describe(trial)}; run took ${runMs} ms; ${left} grandchild(ren) left`);
    },
  },
  {
    name: 'steal-secrets',
    threat: "reads API keys (the driver's environment, /proc/*/environ) and ~/.ssh keys",
    withoutSandbox: 'escapes',
    driverEnv: (ctx) => ({ OPENAI_API_KEY: `sk-hostile-${ctx.tag}`, ANTHROPIC_API_KEY: `sk-ant-hostile-${ctx.tag}`, HOME: ctx.fakeHome }),
    edit: (ctx) => ({
      'config.json': X1,
      'train.js': hostileTrain(
        [
          "for (const [name, value] of Object.entries(process.env)) if (/KEY|TOKEN|SECRET/.test(name) && name !== 'AUTOLAB_RUN_TOKEN') console.log(`env ${name}=${value}`);",
          "attempt('/proc/*/environ', () => { for (const pid of readdirSync('/proc')) { if (!/^\\d+$/.test(pid)) continue; try { const env = readFileSync(`/proc/${pid}/environ`, 'utf8'); const key = /sk-[A-Za-z0-9-]+/.exec(env); if (key) console.log(`stolen ${key[0]}`); } catch {} } return true; });",
          `attempt('~/.ssh', () => console.log('stolen ' + readFileSync(join(process.env.HOME ?? '/root', '.ssh/id_hostile_${ctx.tag}'), 'utf8')));`,
        ].join('\n'),
      ),
    }),
    judge: (trial, ctx) => {
      const log = ctx.runLog(trial.id);
      const stolen = log.includes(`hostile-${ctx.tag}`) || trial.logExcerpt.includes(`hostile-${ctx.tag}`);
      return verdict(scoredAsItIs(trial) && !stolen, 'sandbox', `${describe(trial)}; ${stolen ? 'a SECRET reached the trial output' : 'no secret reached the trial'}`);
    },
  },
];
