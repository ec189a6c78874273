#!/usr/bin/env node
// Prints a tag for the image `docker build` makes of a build context: the first 12 hex digits of a sha256
// over every file Docker sends (path, executable bit, content) and the Dockerfile. k8s/cluster.sh tags the
// image with it, so that a changed source gives a new tag, a new pod spec and a rollout, while the same
// sources give the same tag and `helm upgrade` leaves running pods alone.
//
//   node scripts/image-tag.js [context]           the tag (context defaults to the repository root)
//   node scripts/image-tag.js [context] --files   the files it covers, one a line (why did my tag change?)
//
// The context is what Docker sends, not what git tracks: a file git ignores but .dockerignore lets in still
// reaches `COPY . .`. Node built-ins only, so it runs before `npm ci`.
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } = require('node:fs');
const { join, posix } = require('node:path');

const TAG_LENGTH = 12;

/** A .dockerignore pattern as a regular expression over slash-separated paths (Go's filepath.Match plus `**`). */
function patternToRegExp(pattern) {
  const literal = (char) => char.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '*' && pattern[index + 1] === '*') {
      index++;
      // `**/` also matches no directory at all: `**/dist` is `dist` too.
      if (pattern[index + 1] === '/') {
        index++;
        source += '(?:.*/)?';
      } else {
        source += '.*';
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '\\' && index + 1 < pattern.length) {
      source += literal(pattern[++index]);
    } else if (char === '[') {
      const end = pattern.indexOf(']', index + 2);
      if (end < 0) throw new Error(`.dockerignore: unterminated character class in ${pattern}`);
      source += `[${pattern.slice(index + 1, end)}]`;
      index = end;
    } else {
      source += literal(char);
    }
  }
  return new RegExp(`^${source}$`);
}

/**
 * The rules of a .dockerignore file as Docker applies them: patterns in order, `!` lets a path back in, the
 * last pattern that matches the path or one of its parent directories decides.
 */
function parseDockerignore(text) {
  const rules = [];
  for (const line of text.split(/\r?\n/)) {
    let pattern = line.trim();
    if (!pattern || pattern.startsWith('#')) continue;
    const exception = pattern.startsWith('!');
    if (exception) pattern = pattern.slice(1).trim();
    pattern = posix.normalize(pattern).replace(/^\/+/, '').replace(/\/+$/, '');
    if (pattern === '.' || pattern === '') continue;
    rules.push({ exception, regExp: patternToRegExp(pattern) });
  }
  return rules;
}

/** Whether `rules` keep the slash-separated `path` (relative to the context) out of the build context. */
function isIgnored(rules, path) {
  const parts = path.split('/');
  const pathAndParents = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (pathAndParents.some((candidate) => rule.regExp.test(candidate))) ignored = !rule.exception;
  }
  return ignored;
}

/** Every file and symbolic link of the build context, as sorted slash-separated paths. */
function contextFiles(context) {
  const dockerignore = join(context, '.dockerignore');
  const rules = existsSync(dockerignore) ? parseDockerignore(readFileSync(dockerignore, 'utf8')) : [];
  // Without exceptions nothing below an ignored directory can come back, so node_modules is never walked.
  const canReinclude = rules.some((rule) => rule.exception);
  const files = [];
  const walk = (relativeDir) => {
    for (const entry of readdirSync(join(context, relativeDir), { withFileTypes: true })) {
      const path = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      const ignored = isIgnored(rules, path);
      if (entry.isDirectory()) {
        if (!ignored || canReinclude) walk(path);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && !ignored) {
        files.push(path);
      }
    }
  };
  walk('');
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** One line per file: what `COPY` carries over (content, or a link's target, and the executable bit). */
function fileRecord(context, path) {
  const absolute = join(context, path);
  const stats = lstatSync(absolute);
  const content = stats.isSymbolicLink() ? `symlink:${readlinkSync(absolute)}` : readFileSync(absolute);
  const executable = stats.mode & 0o111 ? 'x' : '-';
  return `${createHash('sha256').update(content).digest('hex')} ${executable} ${path}\0`;
}

/** The files the tag covers: the context, plus the Dockerfile, which shapes the image even where .dockerignore names it. */
function taggedFiles(context) {
  const files = contextFiles(context);
  if (existsSync(join(context, 'Dockerfile')) && !files.includes('Dockerfile')) files.push('Dockerfile');
  return files;
}

function imageTag(context) {
  const hash = createHash('sha256');
  for (const path of taggedFiles(context)) hash.update(fileRecord(context, path));
  return hash.digest('hex').slice(0, TAG_LENGTH);
}

module.exports = { imageTag, isIgnored, parseDockerignore, taggedFiles };

if (require.main === module) {
  const args = process.argv.slice(2);
  const context = args.find((arg) => !arg.startsWith('--')) ?? join(__dirname, '..');
  try {
    console.log(args.includes('--files') ? taggedFiles(context).join('\n') : imageTag(context));
  } catch (error) {
    console.error(`image-tag: ${error.message}`);
    process.exit(1);
  }
}
