/**
 * The CLI's document loader on files a document should not make it read: named pipes (which block
 * whoever opens them) and files over the size limit (/dev/zero, which would grow this process's
 * memory without end if read, is tested in a child process: test/integration/cli.test.ts); and
 * the folder it looks for the root in, which stops at the repository.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadDocument } from '../../src/cli/documentFiles';
import { DocumentContext } from '../../src/core/documentContext';
import { cleanStatement } from '../../src/core/prompts';

/** `promise`, or a rejection naming `what` after `ms`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Threads of this process blocked in open() of a named pipe until a writer comes (Linux; elsewhere 0). */
function threadsWaitingForPipeWriters(): number {
  try {
    return readdirSync('/proc/self/task').filter((task) => {
      try {
        return readFileSync(`/proc/self/task/${task}/wchan`, 'utf8') === 'wait_for_partner';
      } catch {
        return false;
      }
    }).length;
  } catch {
    return 0;
  }
}

/** Gives every reader blocked on opening `fifo` an end of file, so nothing stays blocked after the test. */
function release(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // ENXIO: nobody is reading it.
  }
}

describe('loadDocument (CLI) on files it must not read', function () {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qed-document-files-'));
    // The document's own repository: the root search stays in it.
    mkdirSync(path.join(dir, '.git'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('skips \\input of named pipes and names them; four pending leave other file reads working', async function () {
    if (process.platform === 'win32') this.skip();
    // libuv has 4 thread-pool threads: four blocked opens would stop every file read in the process.
    const fifos = [0, 1, 2, 3].map((i) => path.join(dir, `pipe${i}.tex`));
    const documents = fifos.map((fifo, i) => {
      execFileSync('mkfifo', [fifo]);
      const document = path.join(dir, `doc${i}.tex`);
      writeFileSync(document, `\\documentclass{article}\n\\begin{document}\n\\input{pipe${i}}\n\\begin{theorem}T${i}\\end{theorem}\n\\end{document}\n`);
      return document;
    });
    writeFileSync(path.join(dir, 'unrelated.txt'), 'unrelated');
    try {
      let settled = false;
      const loading = Promise.all(documents.map((document) => loadDocument(document)));
      void loading.finally(() => (settled = true)).catch(() => undefined);
      // Either the documents are loaded, or a reader that opens the pipes holds all four threads
      // (and this read never gets one).
      const deadline = performance.now() + 5000;
      while (!settled && threadsWaitingForPipeWriters() < fifos.length && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const unrelated = await within(1000, 'an unrelated fs.readFile while four documents \\input pipes', readFile(path.join(dir, 'unrelated.txt'), 'utf8'));
      assert.equal(unrelated, 'unrelated');
      const loaded = await within(2000, 'four documents each \\input-ing a pipe', loading);
      loaded.forEach((document, i) => {
        assert.equal(document.environments.length, 1, 'the document is still scanned');
        assert.deepEqual(
          document.problems.map((problem) => [problem.message, problem.skipped?.file, document.texts.get(document.file)!.slice(problem.offset, problem.offset + 6)]),
          [[`pipe${i}: not read, not a regular file (a named pipe)`, fifos[i], '\\input']],
        );
      });
    } finally {
      fifos.forEach(release);
    }
  });

  it('skips an \\input over the size limit and names it; the default limit reads it', async () => {
    const document = path.join(dir, 'paper.tex');
    writeFileSync(document, '\\documentclass{article}\n\\begin{document}\n\\input{big}\n\\end{document}\n');
    // Just over 1 MB (1.1 rounded up): one theorem, then comment lines.
    writeFileSync(path.join(dir, 'big.tex'), `\\begin{theorem}Big\\end{theorem}\n${'% filler\n'.repeat((1024 * 1024) / 9)}`);

    const capped = await loadDocument(document, { maxFileMB: 0.5 });
    assert.deepEqual(capped.environments, []);
    assert.deepEqual(
      capped.problems.map((problem) => [problem.message, problem.skipped?.file]),
      [['big: not read, 1.1 MB, over the 0.5 MB limit (--max-file-mb)', path.join(dir, 'big.tex')]],
    );
    assert.ok(!capped.texts.has(path.join(dir, 'big.tex')));

    const read = await loadDocument(document);
    assert.deepEqual(read.problems, []);
    assert.deepEqual(read.environments.map((environment) => [path.basename(environment.file), environment.env]), [['big.tex', 'theorem']]);
  });

  it('refuses a document over the limit in one line that says how to raise it', async () => {
    const document = path.join(dir, 'huge.md');
    writeFileSync(document, 'x'.repeat(5 * 1024 * 1024));
    await assert.rejects(loadDocument(document), { message: `${document} was not read: 5 MB, over the 4 MB limit (--max-file-mb)` });
  });
});

describe('loadDocument (CLI): the project stops at the repository', () => {
  let outer: string;
  const write = (name: string, text: string) => {
    mkdirSync(path.dirname(path.join(outer, name)), { recursive: true });
    writeFileSync(path.join(outer, name), text);
    return path.join(outer, name);
  };
  /** The prompt context of the labelled statement, as `qed prove` builds it. */
  const contextOf = (document: Awaited<ReturnType<typeof loadDocument>>, label: string) => {
    const environment = document.projectEnvironments.find((candidate) => candidate.label === label)!;
    const text = document.texts.get(environment.file)!;
    const statement = cleanStatement(text.slice(environment.statement.start, environment.statement.end));
    return new DocumentContext().forStatement(statement, document.projectEnvironments, document.texts, 4000, document.projectFolder);
  };

  beforeEach(() => {
    outer = mkdtempSync(path.join(tmpdir(), 'qed-document-project-'));
    // Another project's root, just above the repository, that \input's the document by name.
    write('other.tex', '\\documentclass{article}\n\\newcommand{\\secret}{LEAKED}\n\\begin{document}\n\\input{repo/chapter}\n\\end{document}\n');
  });
  afterEach(() => rmSync(outer, { recursive: true, force: true }));

  it('does not adopt a root above a repository whose .git is in the document’s own folder', async () => {
    mkdirSync(path.join(outer, 'repo', '.git'), { recursive: true });
    const chapter = write('repo/chapter.tex', '\\begin{lemma}\\label{lem:a}$\\secret$ is fine.\\end{lemma}\n');
    const document = await loadDocument(chapter);
    const { context, outsideFiles } = contextOf(document, 'lem:a');
    assert.equal(context.text, '', 'no \\secret from the other project');
    assert.deepEqual([...document.texts.keys()], [chapter]);
    assert.equal(document.projectFolder, path.join(outer, 'repo'));
    assert.deepEqual(outsideFiles, []);
  });

  it('without a repository, looks for the root in the document’s folder only', async () => {
    const chapter = write('repo/chapter.tex', '\\begin{lemma}\\label{lem:a}$\\secret$ is fine.\\end{lemma}\n');
    const document = await loadDocument(chapter);
    assert.deepEqual([...document.texts.keys()], [chapter]);
    assert.equal(document.projectFolder, path.join(outer, 'repo'));
  });

  it('finds the root anywhere in the repository, and names the files outside it that the prompt quotes', async () => {
    mkdirSync(path.join(outer, 'repo', '.git'), { recursive: true });
    // LaTeX reads an \input outside the repository too: allowed, and said.
    const main = write('repo/main.tex', '\\documentclass{article}\n\\input{../shared/macros}\n\\begin{document}\n\\input{chapters/one}\n\\end{document}\n');
    const macros = write('shared/macros.tex', '\\newcommand{\\R}{\\mathbb{R}}\n');
    const chapter = write('repo/chapters/one.tex', '\\begin{lemma}\\label{lem:r}$\\R$ is complete.\\end{lemma}\n');
    const document = await loadDocument(chapter);
    assert.deepEqual([...document.texts.keys()], [main, macros, chapter]);
    const { context, outsideFiles, summary } = contextOf(document, 'lem:r');
    assert.equal(context.text, 'LaTeX macros:\n\\newcommand{\\R}{\\mathbb{R}}');
    assert.deepEqual(outsideFiles, [macros]);
    assert.equal(summary, 'Document context: 1 macro definition · from outside the project: macros.tex (see Prompt)');
  });
});
