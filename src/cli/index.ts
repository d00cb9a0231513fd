/**
 * The `qed` command line: `node dist/cli.js serve --model PATH …` runs the engine.
 * Exit codes: 0 ok; 1 runtime failure or bad input (a missing file, model or label, no environment
 * at a line, a backend error); 2 bad usage; 3 (prove, critique, deep-prove) an incomplete answer;
 * 130 (deep-prove, eval) stopped with Ctrl-C.
 */
import { LLAMA_PACKAGES_ENV } from '../engineShared/cuda/cudaPackages';
import { useLlamaPackages } from '../engine/cuda/llamaPackagesHook';
import { cudaCommand } from './cuda';
import { deepProveCommand } from './deepProve';
import { evalCommand } from './eval';
import { planCommand } from './plan';
import { proveCommand } from './prove';
import { pullCommand } from './pull';
import { serveCommand } from './serve';
import { theoremsCommand } from './theorems';
import { UsageError } from './usageError';

const USAGE = `Usage: qed <command> [options]

Commands:
  serve --model PATH   Serve a GGUF model on an OpenAI-compatible API (loopback only)
        [--port N] [--api-key KEY] [--parallel auto|N] [--threads N] [--context-size N]
        [--gpu auto|cuda|vulkan|metal|cpu] [--gpu-layers auto|N] [--kv-cache auto|f16|q8_0]
        [--host ADDRESS] [--connection-file PATH]
        Without --context-size/--parallel/--kv-cache the memory plan (see plan) decides.
        The key may also come from QED_API_KEY; without one, a random key is printed.
  plan --model PATH    The memory plan for a model: GPU layers, context per attempt, attempts at once,
        [--vram SIZE] [--ram SIZE] [--backend cuda|vulkan|metal|cpu]   KV cache type
        for a machine with that much free (SIZE like 8GiB, 8GB, or bytes), else for this one
        [--gpu auto|cuda|vulkan|metal|cpu]  the backend to start here, as serve does
        [--reclaim-vram SIZE] [--reclaim-ram SIZE]  memory a running engine holds, counted as free
        [--context-size N] [--parallel N] [--gpu-layers N] [--kv-cache f16|q8_0]  fixed choices
        [--json]       one JSON object per model: backend, gpuLayers, totalLayers, contextSize, ...
  plan --quant Q       The same for QED-Nano in quantization Q (Q4_K_M, Q5_K_M, Q6_K, Q8_0) before it
        is downloaded: from its header in the repository, or from QED-Nano's architecture when
        that cannot be read within --remote-timeout SECONDS (default 8; 0: do not try).
        --model and --quant may be repeated: one run plans them all.
  pull URI --dir DIR   Download a model (hf:<user>/<repo>:<quant> or an https:// URL)
        [--stall-seconds N]  give up when no data arrives for N seconds (default 60)
  cuda status          Whether CUDA can run here: the NVIDIA driver, the CUDA runtime libraries, what
        [--dir DIR] [--json]  is missing and how to get it, and whether the CUDA packages are in DIR
  cuda install --dir DIR   Download node-llama-cpp's prebuilt CUDA packages of its own version into DIR
        [--registry URL] [--stall-seconds N]  (sha512-checked, resumable); serve then finds them with
        [--table FILE]       QED_LLAMA_PACKAGES=DIR. --registry: a mirror with npm's layout;
                       --table: another package table than the build's dist/cuda-packages.json
  theorems FILE        List the theorem-like environments of a .tex (with its \\input files) or .md file
        [--json]       as JSON: env, title, kind, optionalTitle, label, file, startLine, endLine, hasProof
        [--max-file-mb N]  files larger than N MB are not read (default 4); nor are pipes or devices
  prove FILE           Prove the environment with --label L or at --line N, streaming the proof to stdout
        (--endpoint URL [--endpoint-model NAME] [--api-key KEY] | --model PATH [--threads N] [--gpu auto|cpu])
        [--show-thinking]  thinking to stderr   [--max-tokens N]   [--context-budget TOKENS]
        [--thinking-budget N]  after N thinking tokens, close the thinking and ask for the proof
        [--seed N]     sample with this seed (0 to 4294967295): the same answer again on the same
                       model, machine and threads; without it, a new sample each run
        [--max-file-mb N]  as for theorems
  critique FILE        Critique the proof after that environment: verdict and findings with line numbers
        (same options as prove)  [--json]  [--full]  also print the whole evaluation
  deep-prove FILE      Deep Prove the environment with --label L or at --line N: generate a pool of
        proofs, verify each several times, refine the best; the best proof to stdout, progress to stderr
        (--endpoint URL [--endpoint-model NAME] [--api-key KEY] [--concurrency N]  calls at once (8)
         | --model PATH [--threads N] [--gpu auto|cpu] [--parallel N])  the engine's sequences run
                       the calls at once; without --parallel its memory plan decides how many
        [--pool N] (4)  [--verifications N] (4)  [--rounds N] (2)  [--verifications-per-refinement N] (2)
        [--summaries N] (3)  reasoning-cache restarts of an attempt that ran out of room
        [--budget TOKENS]  generated tokens of the whole run (1,000,000; at most 3,000,000)
        [--time-limit SECONDS]  [--max-tokens N]  per call  [--temperature X] (0.8)  [--top-p X] (1)
        [--seed N]     the run's seed (each call's derives from it); random without it
        [--context-budget TOKENS]  [--max-file-mb N]  as for prove
        [--journal DIR]  keep the run's journal in DIR (default: a new folder in the temp dir, printed);
                       a DIR that holds a run resumes it: finished calls are not made again, FILE may be
                       left out, shape flags must match the run, --budget/--time-limit may be raised
        [--json]       one JSON object: best {id, proof, mean}, candidates (verifications' scores, null
                       when unreadable, with notes), calls, tokens, end, journal
  eval PROBLEMS.csv --out RESULTS.jsonl   Proof quality on IMO-ProofBench (a CSV in its format): solve
        each problem, grade each proof 0-7 with a judge, one JSON line per (problem, sample) in
        RESULTS.jsonl; the same command again skips what is done. Then the summary per level.
        (--endpoint URL [--model NAME] [--api-key KEY] | --model PATH [--threads N] [--gpu auto|cpu])
                       with --endpoint, --model (or --endpoint-model) names the served model
        [--mode prove|deep]  one sample with Prove's prompt (default), or a Deep Prove run
        [--samples K] (1; the paper: 3)  [--seed N] (0)  each (problem, sample) derives its own
        [--temperature X] [--top-p X] [--top-k N] [--min-p X]  (prove: 0.6/0.95/20/0; deep: 0.8/1)
        [--max-tokens N]  per answer (the paper: 229376)   [--budget TOKENS]  per Deep Prove run (1,000,000)
        [--pool N] (4)  [--verifications N] (4)  [--rounds N] (2)  Deep Prove's search, as in deep-prove
        [--parallel N]  (problem, sample)s at once (default: what the backend serves)
        judge: --judge-endpoint URL --judge-model NAME  an OpenAI-compatible server; its key from
                       $QED_JUDGE_API_KEY (or the variable --judge-key-env NAME)  [--judge-max-tokens N]
             | --judge self   QED-Nano's own 0/0.5/1 verifier scaled to 7: not comparable with
                       published numbers
        [--problems ID,ID...] [--level LEVEL,...] [--limit N]   which problems
        [--summary-json FILE]  {overall: {percent, n, interval, ...}, levels: {LEVEL: {...}}}
        [--html FILE]  a report of every problem, its proofs and gradings, math rendered
  eval --report RESULTS.jsonl [--summary-json FILE] [--html FILE]   the summary of a results file
  eval --compare A.jsonl B.jsonl   two results side by side: per problem and level, the difference
        with its 95% interval

Exit codes: 0 ok; 1 failure or bad input (missing file, unknown label, no environment at that
line, backend error); 2 bad usage; 3 incomplete answer (token limit, empty, no verdict; for
deep-prove: stopped by --budget or --time-limit, or no proof at all); 130 deep-prove or eval stopped
with Ctrl-C (resumable with --journal; eval: the same command). eval exits 1 also when some proofs
could not be graded (the same command grades them).
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Before node-llama-cpp looks for its binaries: the packages `qed cuda install` put there.
  const llamaPackages = process.env[LLAMA_PACKAGES_ENV];
  if (llamaPackages) useLlamaPackages(llamaPackages);
  switch (command) {
    case 'serve':
      return serveCommand(rest);
    case 'pull':
      return pullCommand(rest);
    case 'cuda':
      return cudaCommand(rest);
    case 'plan':
      return planCommand(rest);
    case 'theorems':
      return theoremsCommand(rest);
    case 'prove':
    case 'critique':
      return proveCommand(rest, command);
    case 'deep-prove':
      return deepProveCommand(rest);
    case 'eval':
      return evalCommand(rest);
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

// `qed theorems big.tex | head`: the reader went away, which is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
});

// A library failing on its own timer (the downloader does) still gets one line, not a stack.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    process.stderr.write(`qed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`qed: ${error instanceof Error ? error.message : String(error)}\n${usage ? `\n${USAGE}` : ''}`);
    process.exit(usage ? 2 : 1);
  },
);

