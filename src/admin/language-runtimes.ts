/** How to run a script of a known language when the request names no runtime of its own. */
export interface LanguageRuntime {
  image: (version: string) => string;
  command: string[];
  filename: string;
}

/** Mount point of the script inside the executor pod. */
export const SCRIPT_DIRECTORY = '/scripts';

const runtime = (image: (version: string) => string, interpreter: string, filename: string): LanguageRuntime => ({
  image,
  command: [interpreter, `${SCRIPT_DIRECTORY}/${filename}`],
  filename,
});

export const LANGUAGE_RUNTIMES: Readonly<Record<string, LanguageRuntime>> = {
  python: runtime((version) => `python:${version}-slim`, 'python', 'main.py'),
  node: runtime((version) => `node:${version}-alpine`, 'node', 'main.js'),
  ruby: runtime((version) => `ruby:${version}-alpine`, 'ruby', 'main.rb'),
  bash: runtime((version) => `bash:${version}`, 'bash', 'main.sh'),
};
