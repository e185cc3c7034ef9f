/**
 * Which Debian (and Ubuntu) package provides a program or a Python module, for the
 * "install" advice of `autolab doctor`.
 */

const PROGRAMS: Readonly<Record<string, string>> = {
  git: 'git',
  bwrap: 'bubblewrap',
  python3: 'python3',
  python: 'python-is-python3',
  pip: 'python3-pip',
  pip3: 'python3-pip',
  node: 'nodejs',
  npm: 'npm',
  npx: 'npm',
  bash: 'bash',
  sh: 'dash',
  make: 'make',
  gcc: 'gcc',
  'g++': 'g++',
  cc: 'gcc',
  cargo: 'cargo',
  rustc: 'rustc',
  go: 'golang-go',
  java: 'default-jre',
  Rscript: 'r-base-core',
  julia: 'julia',
  lua: 'lua5.4',
  perl: 'perl',
  ruby: 'ruby',
  tar: 'tar',
  curl: 'curl',
  wget: 'wget',
  unzip: 'unzip',
  psql: 'postgresql-client',
  sbatch: 'slurm-client',
  squeue: 'slurm-client',
  sacct: 'slurm-client',
  scancel: 'slurm-client',
  sinfo: 'slurm-client',
  'nvidia-smi': 'nvidia-driver (from non-free; or your cloud image\'s NVIDIA driver)',
};

const PYTHON_MODULES: Readonly<Record<string, string>> = {
  numpy: 'python3-numpy',
  scipy: 'python3-scipy',
  sklearn: 'python3-sklearn',
  pandas: 'python3-pandas',
  torch: 'python3-torch',
  yaml: 'python3-yaml',
  PIL: 'python3-pil',
  cv2: 'python3-opencv',
  matplotlib: 'python3-matplotlib',
  optuna: 'python3-optuna',
  tqdm: 'python3-tqdm',
  requests: 'python3-requests',
  h5py: 'python3-h5py',
  joblib: 'python3-joblib',
  numba: 'python3-numba',
  sympy: 'python3-sympy',
  networkx: 'python3-networkx',
  toml: 'python3-toml',
  tomli: 'python3-tomli',
  xgboost: 'python3-xgboost',
  lightgbm: 'python3-lightgbm',
  skimage: 'python3-skimage',
  statsmodels: 'python3-statsmodels',
  seaborn: 'python3-seaborn',
  psutil: 'python3-psutil',
};

/** Modules Debian does not package: pip is the way. */
const PIP_ONLY: Readonly<Record<string, string>> = { jax: 'jax', transformers: 'transformers', datasets: 'datasets', tiktoken: 'tiktoken', wandb: 'wandb', accelerate: 'accelerate', lightning: 'lightning', triton: 'triton' };

/**
 * The install advice for a missing program.
 *
 * @example installProgram('bwrap') // 'apt-get install bubblewrap'
 */
export function installProgram(name: string): string {
  const known = PROGRAMS[name];
  return known ? `apt-get install ${known}` : `install ${name} and put it on PATH`;
}

/**
 * The install advice for a missing Python module.
 *
 * @example installPythonModule('sklearn') // 'apt-get install python3-sklearn (or pip install scikit-learn)'
 */
export function installPythonModule(name: string): string {
  const pipName = name === 'sklearn' ? 'scikit-learn' : name === 'PIL' ? 'pillow' : name === 'cv2' ? 'opencv-python' : name === 'yaml' ? 'pyyaml' : name === 'skimage' ? 'scikit-image' : name;
  if (PIP_ONLY[name]) return `pip install ${PIP_ONLY[name]} (not packaged by Debian)`;
  const debian = PYTHON_MODULES[name];
  return debian ? `apt-get install ${debian} (or pip install ${pipName})` : `pip install ${pipName} (or apt-get install python3-${name.toLowerCase()} if Debian packages it)`;
}
