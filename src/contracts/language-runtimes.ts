/** How to run a script of a known language when the request names no runtime of its own. */
export interface LanguageRuntime {
  image: (version: string) => string;
  command: string[];
  filename: string;
}

/** Mount point of the script inside the executor pod. */
export const SCRIPT_DIRECTORY = '/scripts';
/** Where an image template takes the requested language version (`RUNTIME_IMAGES`). */
export const VERSION_PLACEHOLDER = '{version}';

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

/** One `RUNTIME_IMAGES` entry: `language=image`, the image with `{version}` where the version goes. */
export const RUNTIME_IMAGE_ENTRY = /^([a-z0-9][a-z0-9_.+-]*)=(\S+)$/;

/**
 * The built-in languages with the operator's images in place of the defaults
 * (`RUNTIME_IMAGES=python=registry.example/python:{version}-slim,...`). Entries were checked by
 * loadConfig, which accepts only the built-in languages.
 */
export function languageRuntimesWith(imageEntries: readonly string[]): Readonly<Record<string, LanguageRuntime>> {
  const table: Record<string, LanguageRuntime> = { ...LANGUAGE_RUNTIMES };
  for (const entry of imageEntries) {
    const [, language, template] = RUNTIME_IMAGE_ENTRY.exec(entry) ?? [];
    if (!language || !template) continue;
    const known = table[language];
    if (!known) continue;
    table[language] = { ...known, image: (version) => template.split(VERSION_PLACEHOLDER).join(version) };
  }
  return table;
}
