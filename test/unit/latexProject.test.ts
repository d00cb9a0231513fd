import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProjectScanner, type ProjectFile, type ProjectFileSystem, type SkippedFile } from '../../src/core/theorems/latexProject';
import { findRoot } from '../../src/core/theorems/rootDocument';
import { LineIndex, type TheoremEnvironment } from '../../src/core/theorems/types';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/latex');

/** A file system in memory; `version` bumps on every write, like an editor's document version. */
class MemoryFileSystem implements ProjectFileSystem {
  private readonly files = new Map<string, ProjectFile | SkippedFile>();
  readonly reads: string[] = [];

  constructor(files: Record<string, string> = {}) {
    for (const [name, text] of Object.entries(files)) this.write(name, text);
  }

  write(name: string, text: string): void {
    const previous = this.files.get(path.resolve('/p', name));
    this.files.set(path.resolve('/p', name), { text, version: Number((previous && 'version' in previous && previous.version) || 0) + 1 });
  }

  /** A file that exists but is not read (as the bounded reader reports a pipe or a file too large). */
  skip(name: string, reason: string): void {
    this.files.set(path.resolve('/p', name), { skipped: reason });
  }

  async readFile(file: string): Promise<ProjectFile | SkippedFile | undefined> {
    this.reads.push(file);
    return this.files.get(file);
  }
}

const P = (name: string) => path.resolve('/p', name);

/** The real disk, as the extension and the CLI read it. */
const DISK: ProjectFileSystem = {
  async readFile(file) {
    try {
      return { text: new TextDecoder().decode(readFileSync(file)), version: statSync(file).mtimeMs };
    } catch {
      return undefined;
    }
  },
};

function summary(environments: readonly TheoremEnvironment[]): string[] {
  return environments.map((e) => `${path.basename(e.file)}:${e.env}:${e.title}:${e.kind}`);
}

function counts(environments: readonly TheoremEnvironment[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const e of environments) result[e.env] = (result[e.env] ?? 0) + 1;
  return result;
}

describe('findRoot', () => {
  const fs = new MemoryFileSystem({
    'main.tex': '\\documentclass{book}\\begin{document}\\include{chapters/one}\\include{chapters/lost}\\end{document}',
    'chapters/one.tex': '\\input{chapters/two}',
    'chapters/two.tex': 'Deep.',
    'chapters/magic.tex': '% !TEX root = ../main.tex\nText.',
    'chapters/lost.tex': '%!TeX root = ../missing.tex\nText.',
    'chapters/sub.tex': '\\documentclass[../main.tex]{subfiles}\\begin{document}x\\end{document}',
    'other.tex': '\\documentclass{article}\\begin{document}\\end{document}',
    'alone.tex': 'Nobody includes me.',
  });
  const workspace = ['other.tex', 'main.tex', 'chapters/one.tex', 'chapters/two.tex', 'alone.tex'].map(P);

  it('follows % !TEX root, \\documentclass, subfiles and transitive includes', async () => {
    assert.equal(await findRoot(P('main.tex'), fs, workspace), P('main.tex'));
    assert.equal(await findRoot(P('chapters/magic.tex'), fs, workspace), P('main.tex'));
    assert.equal(await findRoot(P('chapters/sub.tex'), fs, workspace), P('main.tex'));
    assert.equal(await findRoot(P('chapters/one.tex'), fs, workspace), P('main.tex'));
    assert.equal(await findRoot(P('chapters/two.tex'), fs, workspace), P('main.tex'));
    assert.equal(await findRoot(P('alone.tex'), fs, workspace), P('alone.tex'));
    assert.equal(await findRoot(P('chapters/two.tex'), fs), P('chapters/two.tex'));
  });

  it('falls back when % !TEX root points to a missing file, and reports it', async () => {
    assert.equal(await findRoot(P('chapters/lost.tex'), fs), P('chapters/lost.tex'));
    assert.equal(await findRoot(P('chapters/lost.tex'), fs, workspace), P('main.tex'));
    const scan = await new ProjectScanner(fs).scan(P('chapters/lost.tex'), workspace);
    assert.equal(scan.root, P('main.tex'));
    assert.deepEqual(scan.problems, [
      { file: P('chapters/lost.tex'), offset: 0, message: '% !TEX root points to ../missing.tex, which does not exist; finding the root without it' },
    ]);
  });
});

describe('ProjectScanner', () => {
  it('lists environments in document order, each with its own file', async () => {
    const fs = new MemoryFileSystem({
      'main.tex': [
        '\\documentclass{article}',
        '\\newtheorem{lemma}{Lemma}',
        '\\begin{document}',
        '\\begin{lemma}A\\end{lemma}',
        '\\input{part}',
        '\\begin{lemma}C\\end{lemma}',
        '\\input subpart',
        '\\end{document}',
      ].join('\n'),
      'part.tex': '\\begin{lemma}B1\\end{lemma}\\begin{lemma}B2\\end{lemma}',
      'subpart.tex': '\\begin{lemma}D\\end{lemma}',
    });
    const scan = await new ProjectScanner(fs).scan(P('main.tex'));
    assert.deepEqual(scan.files, [P('main.tex'), P('part.tex'), P('subpart.tex')]);
    assert.deepEqual(
      scan.environments.map((e) => `${path.basename(e.file)}:${scan.texts.get(e.file)!.slice(e.statement.start, e.statement.end)}`),
      ['main.tex:A', 'part.tex:B1', 'part.tex:B2', 'main.tex:C', 'subpart.tex:D'],
    );
    assert.deepEqual(scan.problems, []);
  });

  it('uses the default names only when the project declares none', async () => {
    const undeclared = new MemoryFileSystem({ 'a.tex': '\\documentclass{article}\\begin{document}\\begin{theorem}T\\end{theorem}\\end{document}' });
    assert.deepEqual(summary((await new ProjectScanner(undeclared).scan(P('a.tex'))).environments), ['a.tex:theorem:Theorem:theorem']);
    const declared = new MemoryFileSystem({
      'a.tex': '\\documentclass{article}\\input{defs}\\begin{document}\\begin{theorem}T\\end{theorem}\\begin{lem}L\\end{lem}\\end{document}',
      'defs.tex': '\\newtheorem{lem}{Lemma}',
    });
    assert.deepEqual(summary((await new ProjectScanner(declared).scan(P('a.tex'))).environments), ['a.tex:lem:Lemma:theorem']);
    const llncs = new MemoryFileSystem({ 'a.tex': '\\documentclass{llncs}\\newtheorem{obs}{Observation}\\begin{document}\\begin{theorem}T\\end{theorem}\\begin{obs}O\\end{obs}\\end{document}' });
    assert.deepEqual(summary((await new ProjectScanner(llncs).scan(P('a.tex'))).environments), ['a.tex:theorem:Theorem:theorem', 'a.tex:obs:Observation:remark']);
  });

  it('carries \\theoremstyle and macros across files in reading order, and resolves wrappers across files', async () => {
    const fs = new MemoryFileSystem({
      'main.tex': [
        '\\documentclass{article}',
        '\\usepackage{thms}',
        '\\theoremstyle{definition}',
        '\\input{more}',
        '\\mythm{zz}{Zzz}',
        '\\newenvironment{definition}{\\begin{plaindefinition}}{\\end{plaindefinition}}',
        '\\begin{document}',
        '\\begin{yy}\\end{yy}\\begin{zz}\\end{zz}\\begin{definition}D\\end{definition}',
        '\\end{document}',
      ].join('\n'),
      'thms.sty': '\\newcommand{\\mythm}[2]{\\newtheorem{#1}{#2}}\\newtheorem{plaindefinition}{Definition}',
      'more.tex': '\\newtheorem{yy}{Yyy}\\theoremstyle{remark}',
    });
    const scan = await new ProjectScanner(fs).scan(P('main.tex'));
    assert.deepEqual(scan.files, [P('main.tex'), P('thms.sty'), P('more.tex')]);
    assert.deepEqual(summary(scan.environments), ['main.tex:yy:Yyy:definition', 'main.tex:zz:Zzz:remark', 'main.tex:definition:Definition:definition']);
    assert.deepEqual(scan.declarations.get('definition')?.origin, { file: P('main.tex'), offset: scan.texts.get(P('main.tex'))!.indexOf('\\newenvironment') });
  });

  it('does not hang on include cycles, and reports them', async () => {
    const fs = new MemoryFileSystem({
      'a.tex': '\\documentclass{article}\\begin{document}\\begin{lemma}A\\end{lemma}\\input{b}\\end{document}',
      'b.tex': '\\begin{lemma}B\\end{lemma}\\input{a}\\input{b}',
    });
    const scan = await new ProjectScanner(fs).scan(P('b.tex'), [P('a.tex'), P('b.tex')]);
    assert.equal(scan.root, P('a.tex'));
    assert.deepEqual(summary(scan.environments), ['a.tex:lemma:Lemma:theorem', 'b.tex:lemma:Lemma:theorem']);
    const b = scan.texts.get(P('b.tex'))!;
    assert.deepEqual(scan.problems, [
      { file: P('b.tex'), offset: b.indexOf('\\input{a}'), message: 'a includes a.tex again (an include cycle); not followed' },
      { file: P('b.tex'), offset: b.indexOf('\\input{b}'), message: 'b includes b.tex again (an include cycle); not followed' },
    ]);
    const self = new MemoryFileSystem({ 'x.tex': '\\input{x}\\begin{lemma}X\\end{lemma}' });
    assert.deepEqual(summary((await new ProjectScanner(self).scan(P('x.tex'), [P('x.tex')])).environments), ['x.tex:lemma:Lemma:theorem']);
  });

  it('reports a missing \\input but not a missing system package', async () => {
    const fs = new MemoryFileSystem({ 'a.tex': '\\documentclass{article}\\usepackage{amsthm}\\begin{document}\\input{gone}\\end{document}' });
    const scan = await new ProjectScanner(fs).scan(P('a.tex'));
    assert.deepEqual(scan.problems, [{ file: P('a.tex'), offset: 58, message: 'gone: file not found' }]);
    assert.deepEqual(scan.files, [P('a.tex')]);
  });

  it('names the files it was not let read, where they are named, and reads on without them', async () => {
    const mainText = '\\documentclass{article}\\usepackage{pipe}\\begin{document}\\input{big}\\input{sub/ok}\\end{document}';
    const fs = new MemoryFileSystem({
      'main.tex': mainText,
      'sub/ok.tex': '\\input{dup}\\begin{theorem}Ok\\end{theorem}',
      // LaTeX reads the first file it finds: the root's folder before the including file's.
      'sub/dup.tex': '\\begin{theorem}Not LaTeX\'s choice\\end{theorem}',
      'chapter.tex': '% !TEX root = zero.tex\n\\begin{theorem}C\\end{theorem}',
      'orphan.tex': '\\begin{theorem}O\\end{theorem}',
    });
    fs.skip('pipe.sty', 'not a regular file (a named pipe)');
    fs.skip('big.tex', '5 MB, over the 4 MB limit');
    fs.skip('dup.tex', 'not a regular file (a character device)');
    fs.skip('zero.tex', 'not a regular file (a character device)');
    fs.skip('huge.tex', '9 MB, over the 4 MB limit');
    const problem = (file: string, offset: number, message: string, skipped: string, reason: string) => ({ file: P(file), offset, message, skipped: { file: P(skipped), reason } });

    const main = await new ProjectScanner(fs).scan(P('main.tex'));
    assert.deepEqual(summary(main.environments), ['ok.tex:theorem:Theorem:theorem']);
    assert.deepEqual(main.problems, [
      problem('main.tex', mainText.indexOf('\\usepackage'), 'pipe: not read, not a regular file (a named pipe)', 'pipe.sty', 'not a regular file (a named pipe)'),
      problem('main.tex', mainText.indexOf('\\input{big}'), 'big: not read, 5 MB, over the 4 MB limit', 'big.tex', '5 MB, over the 4 MB limit'),
      problem('sub/ok.tex', 0, 'dup: not read, not a regular file (a character device)', 'dup.tex', 'not a regular file (a character device)'),
    ]);

    const chapter = await new ProjectScanner(fs).scan(P('chapter.tex'));
    assert.equal(chapter.root, P('chapter.tex'));
    assert.deepEqual(chapter.problems, [
      problem('chapter.tex', 0, '% !TEX root points to zero.tex, which was not read (not a regular file (a character device)); finding the root without it', 'zero.tex', 'not a regular file (a character device)'),
    ]);

    // A root candidate not read is named too: the root may be that file.
    const orphan = await new ProjectScanner(fs).scan(P('orphan.tex'), [P('huge.tex'), P('main.tex')]);
    assert.equal(orphan.root, P('orphan.tex'));
    assert.deepEqual(orphan.problems, [problem('huge.tex', 0, 'not read as a possible root document: 9 MB, over the 4 MB limit', 'huge.tex', '9 MB, over the 4 MB limit')]);
  });

  it('skips the preamble of an included subfile', async () => {
    const fs = new MemoryFileSystem({
      'main.tex': '\\documentclass{article}\\newtheorem{lem}{Lemma}\\begin{document}\\subfile{chap}\\end{document}',
      'chap.tex': '\\documentclass[main]{subfiles}\\usepackage{junk}\\newtheorem{inline}{Inline}\\begin{document}\\begin{lem}L\\end{lem}\\input{more}\\end{document}',
      'junk.sty': '\\newtheorem{junk}{Junk}',
      'more.tex': '\\begin{lem}M\\end{lem}',
    });
    const scan = await new ProjectScanner(fs).scan(P('chap.tex'));
    assert.equal(scan.root, P('main.tex'));
    assert.deepEqual(scan.files, [P('main.tex'), P('chap.tex'), P('more.tex')]);
    assert.deepEqual(summary(scan.environments), ['chap.tex:lem:Lemma:theorem', 'more.tex:lem:Lemma:theorem']);
    assert.deepEqual([...scan.declarations.keys()], ['lem']);
  });

  it('still scans a file its root does not include', async () => {
    const fs = new MemoryFileSystem({
      'main.tex': '\\documentclass{article}\\newtheorem{lem}{Lemma}\\begin{document}\\end{document}',
      'stray.tex': '% !TEX root = main.tex\n\\begin{lem}S\\end{lem}',
    });
    const scan = await new ProjectScanner(fs).scan(P('stray.tex'));
    assert.equal(scan.root, P('main.tex'));
    assert.deepEqual(summary(scan.environments), ['stray.tex:lem:Lemma:theorem']);
    assert.deepEqual(scan.files, [P('main.tex'), P('stray.tex')]);
  });

  it('re-scans only the file that changed, and everything when declarations change', async () => {
    const fs = new MemoryFileSystem({
      'main.tex': '\\documentclass{article}\\input{defs}\\begin{document}\\input{one}\\input{two}\\end{document}',
      'defs.tex': '\\newtheorem{lem}{Lemma}',
      'one.tex': '\\begin{lem}One\\end{lem}',
      'two.tex': '\\begin{lem}Two\\end{lem}',
    });
    const scanner = new ProjectScanner(fs);
    const first = await scanner.scan(P('two.tex'), [P('main.tex'), P('one.tex'), P('two.tex')]);
    const unchanged = await scanner.scan(P('two.tex'), [P('main.tex'), P('one.tex'), P('two.tex')]);
    assert.equal(unchanged.environments[0], first.environments[0]);
    assert.equal(unchanged.environments[1], first.environments[1]);

    fs.write('two.tex', '\\begin{lem}Two, edited\\end{lem}');
    const typed = await scanner.scan(P('two.tex'), [P('main.tex'), P('one.tex'), P('two.tex')]);
    assert.equal(typed.environments[0], first.environments[0], 'one.tex was not re-scanned');
    assert.notEqual(typed.environments[1], first.environments[1]);
    assert.equal(typed.texts.get(P('two.tex'))!.slice(typed.environments[1]!.statement.start, typed.environments[1]!.statement.end), 'Two, edited');

    fs.write('defs.tex', '\\newtheorem{lem}{Lemma}\\newtheorem{cl}{Claim}');
    const redeclared = await scanner.scan(P('two.tex'), [P('main.tex'), P('one.tex'), P('two.tex')]);
    assert.notEqual(redeclared.environments[0], first.environments[0]);
    assert.deepEqual(summary(redeclared.environments), ['one.tex:lem:Lemma:theorem', 'two.tex:lem:Lemma:theorem']);
    assert.equal(redeclared.declarations.get('cl')?.title, 'Claim');
  });

  // Spreading this many items into push() puts each on the stack: "Maximum call stack size exceeded" at ~150k.
  const MANY = 200_000;

  it(`lists ${MANY.toLocaleString('en')} environments of one file, after and without an \\input`, async () => {
    const body = '\\begin{t}\\end{t}\n'.repeat(MANY);
    const fs = new MemoryFileSystem({
      'main.tex': `\\documentclass{article}\\newtheorem{t}{T}\\begin{document}\\input{one}\n${body}\\end{document}`,
      'one.tex': '\\begin{t}One\\end{t}',
      'stray.tex': `% !TEX root = main.tex\n${body}`,
    });
    const scan = await new ProjectScanner(fs).scan(P('main.tex'));
    assert.equal(scan.environments.length, MANY + 1);
    assert.deepEqual([scan.environments[0]!.file, scan.environments[MANY]!.file], [P('one.tex'), P('main.tex')]);
    // stray.tex names main.tex as its root, which does not include it: its environments are added after the root's.
    const stray = await new ProjectScanner(fs).scan(P('stray.tex'));
    assert.equal(stray.environments.filter((environment) => environment.file === P('stray.tex')).length, MANY);
  });

  it(`keeps ${MANY.toLocaleString('en')} declarations and problems of one file`, async () => {
    const fs = new MemoryFileSystem({
      'main.tex': `\\documentclass{article}${Array.from({ length: MANY }, (_, i) => `\\newtheorem{t${i}}{T}`).join('')}\\begin{document}${'\\end{t0}'.repeat(MANY)}\\end{document}`,
    });
    const scan = await new ProjectScanner(fs).scan(P('main.tex'));
    assert.equal(scan.declarations.size, MANY);
    assert.equal(scan.problems.length, MANY);
  });
});

describe('ProjectScanner on the corpus projects', () => {
  let directory: string;

  before(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'qed-latex-project-'));
  });

  after(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  /** Copies corpus files into a fresh project folder and writes the given root files. */
  function project(name: string, copies: Record<string, string>, written: Record<string, string>): string {
    const root = path.join(directory, name);
    for (const [target, source] of Object.entries(copies)) {
      mkdirSync(path.dirname(path.join(root, target)), { recursive: true });
      copyFileSync(path.join(CORPUS, source), path.join(root, target));
    }
    for (const [target, text] of Object.entries(written)) writeFileSync(path.join(root, target), text);
    return root;
  }

  it('stacks: fields.tex \\input{preamble}s its declarations and is its own root', async () => {
    const root = project('stacks', { 'fields.tex': 'stacks-project/fields.tex', 'preamble.tex': 'stacks-project/preamble.tex' }, {});
    const fields = path.join(root, 'fields.tex');
    const scan = await new ProjectScanner(DISK).scan(fields, [fields, path.join(root, 'preamble.tex')]);
    assert.equal(scan.root, fields);
    assert.deepEqual(scan.files, [fields, path.join(root, 'preamble.tex')]);
    assert.deepEqual(counts(scan.environments), { lemma: 81, definition: 32, example: 18, theorem: 3, exercise: 2, situation: 1 });
    assert.equal(scan.declarations.get('situation')?.kind, 'definition');
    // The chapter list the Stacks project generates is not in the corpus.
    assert.deepEqual(scan.problems, [{ file: fields, offset: scan.texts.get(fields)!.indexOf('\\input{chapters}'), message: 'chapters: file not found' }]);
  });

  it('HoTT: equivalences.tex names its environments through macros.tex\'s \\defthm', async () => {
    const root = project('hott', { 'equivalences.tex': 'hott-book/equivalences.tex', 'macros.tex': 'hott-book/macros.tex' }, {
      'main.tex': '\\documentclass{book}\n\\usepackage{amsthm}\n\\input{macros}\n\\begin{document}\n\\include{equivalences}\n\\end{document}\n',
    });
    const equivalences = path.join(root, 'equivalences.tex');
    const scan = await new ProjectScanner(DISK).scan(equivalences, [path.join(root, 'main.tex'), equivalences, path.join(root, 'macros.tex')]);
    assert.equal(scan.root, path.join(root, 'main.tex'));
    assert.deepEqual(counts(scan.environments), { lem: 13, thm: 16, defn: 10, cor: 4, ex: 9 });
    assert.deepEqual(
      [...scan.declarations.values()].map((d) => `${d.env}:${d.title}:${d.kind}`),
      ['thm:Theorem:theorem', 'cor:Corollary:theorem', 'lem:Lemma:theorem', 'axiom:Axiom:definition', 'defn:Definition:definition',
        'rmk:Remark:remark', 'eg:Example:definition', 'egs:Examples:definition', 'notes:Notes:remark', 'ex:Exercise:theorem'],
    );
    const twoOutOfThree = scan.environments.find((e) => e.label === 'thm:two-out-of-three')!;
    assert.equal(twoOutOfThree.optionalTitle, 'The 2-out-of-3 property');
    assert.equal(new LineIndex(scan.texts.get(equivalences)!).position(twoOutOfThree.span.start).line + 1, 612);
  });

  it('PFR: chapter/entropy.tex with preamble/print.tex (thmtools) or preamble/web.tex (amsthm)', async () => {
    const root = project(
      'pfr',
      {
        'chapter/entropy.tex': 'pfr-blueprint/chapter/entropy.tex',
        'preamble/print.tex': 'pfr-blueprint/preamble/print.tex',
        'preamble/web.tex': 'pfr-blueprint/preamble/web.tex',
        'preamble/common.tex': 'pfr-blueprint/preamble/common.tex',
      },
      {
        'print.tex': '\\documentclass{report}\n\\usepackage{amsthm,thmtools}\n\\input{preamble/common}\n\\input{preamble/print}\n\\begin{document}\n\\input{chapter/entropy}\n\\end{document}\n',
        'web.tex': '\\documentclass{report}\n\\usepackage{amsthm}\n\\input{preamble/common}\n\\input{preamble/web}\n\\begin{document}\n\\input{chapter/entropy}\n\\end{document}\n',
      },
    );
    const entropy = path.join(root, 'chapter/entropy.tex');
    const workspace = ['web.tex', 'print.tex', 'chapter/entropy.tex', 'preamble/print.tex', 'preamble/web.tex', 'preamble/common.tex'].map((f) => path.join(root, f));
    const scanner = new ProjectScanner(DISK);
    const print = await scanner.scan(entropy, workspace);
    assert.equal(print.root, path.join(root, 'print.tex'));
    assert.deepEqual(print.files, ['print.tex', 'preamble/common.tex', 'preamble/print.tex', 'chapter/entropy.tex'].map((f) => path.join(root, f)));
    assert.deepEqual(counts(print.environments), { definition: 8, lemma: 16, corollary: 6 });
    assert.equal(print.environments.filter((e) => e.proof).length, 22);
    assert.equal(print.declarations.has('sublemma'), false);

    const web = await scanner.scan(path.join(root, 'web.tex'), workspace);
    assert.deepEqual(counts(web.environments), { definition: 8, lemma: 16, corollary: 6 });
    assert.equal(web.declarations.get('sublemma')?.title, 'Sub-lemma');
    assert.deepEqual(print.problems, []);
    assert.deepEqual(web.problems, []);
  });

  it('Analysis III: Kapitel-1.tex with ntheorem declarations from .sty files loaded by \\usepackage', async () => {
    const root = project(
      'analysis3',
      {
        'Kapitel-1.tex': 'latex-examples-analysis3/Kapitel-1.tex',
        'mathe.sty': 'latex-examples-analysis3/mathe.sty',
        'saetze-schmoeger.sty': 'latex-examples-analysis3/saetze-schmoeger.sty',
      },
      {
        'Analysis3.tex': '\\documentclass{book}\n\\usepackage{mathe}\n\\usepackage{saetze-schmoeger}\n\\begin{document}\n\\chapter{Sigma-Algebren}\n\\input{Kapitel-1}\n\\end{document}\n',
      },
    );
    const chapter = path.join(root, 'Kapitel-1.tex');
    const scan = await new ProjectScanner(DISK).scan(chapter, [path.join(root, 'Analysis3.tex'), chapter]);
    assert.equal(scan.root, path.join(root, 'Analysis3.tex'));
    assert.deepEqual(scan.files, ['Analysis3.tex', 'mathe.sty', 'saetze-schmoeger.sty', 'Kapitel-1.tex'].map((f) => path.join(root, f)));
    assert.deepEqual(counts(scan.environments), { definition: 7, beispieleX: 1, lemma: 3, beispiel: 4, erinnerung: 1, satz: 3, folgerungen: 1 });
    assert.deepEqual(
      summary(scan.environments.filter((e) => e.proof)),
      Array(6).fill(0).map((_, i) => (i < 3 ? 'Kapitel-1.tex:lemma:Lemma:theorem' : 'Kapitel-1.tex:satz:Satz:theorem')),
    );
    assert.equal(scan.declarations.get('definition')?.origin?.file, path.join(root, 'saetze-schmoeger.sty'));
    assert.deepEqual(scan.problems, []);
  });
});
