/**
 * A parameter `autolab init --scan` found in a recipe file: a literal value with a name,
 * where it is written, and what the source says about it (a declared type, choices, a
 * help text). The scanners only find; `propose-knob.ts` decides what to search and how.
 */

/** Where the parameter was found. */
export type ParameterSource = 'argparse' | 'dataclass' | 'constant' | 'json' | 'yaml' | 'toml';

export interface FoundParameter {
  /** The name as the source spells it (`learning_rate`, `LR`, `optimizer.lr` for nested config keys). */
  name: string;
  source: ParameterSource;
  value: number | string | boolean;
  /** A type the source declares (`type=float`, `: int`), if any. */
  declaredType?: 'int' | 'float' | 'str' | 'bool';
  /** The literal as written (`1e-3`, `'relu'`), for ints vs floats. */
  text?: string;
  /** Allowed values the source lists (`choices=[...]`). */
  choices?: Array<string | number | boolean>;
  help?: string;
  /** 0-based line of the literal (line-based sources: Python, TOML). */
  line?: number;
  /** The dotted key path (JSON, YAML). */
  keyPath?: string;
  /** Where a line may be split so that the literal comes first on its own line (`default=` in a call). */
  splitAt?: number;
}

/** Why a parameter the scanner saw was left out (shown as a comment in the task file). */
export interface SkippedParameter {
  name: string;
  reason: string;
}

/** What a scanner returns for one file. */
export interface FileScan {
  found: FoundParameter[];
  skipped: SkippedParameter[];
  /** Notes about the file as a whole (e.g. "a script with argparse: run it as python3 train.py"). */
  isScript?: boolean;
}
