/**
 * What a user types or pastes as a server's address, turned into the base URLs to try: the
 * OpenAI-compatible API lives under `/v1` (vLLM, SGLang, llama-server, Ollama, LM Studio, the QED
 * engine), so `http://host:8000` means `http://host:8000/v1`, and an endpoint pasted whole
 * (`…/v1/chat/completions`, `…/v1/models`) means its base.
 */

export class InvalidServerUrlError extends Error {
  override readonly name = 'InvalidServerUrlError';
}

/** Endpoint paths people copy from a server's docs or log instead of the base URL. */
const ENDPOINT_SUFFIXES = ['/chat/completions', '/completions', '/models'];

/**
 * The base URLs to try, best first: the address with `/v1` added when it lacks it, then as given
 * (a server mounted without `/v1`). No trailing slash, query or fragment.
 */
export function serverUrlCandidates(input: string): string[] {
  const text = input.trim().replace(/^["'<]+|["'>]+$/g, '');
  if (!text) throw new InvalidServerUrlError('No URL was given.');
  // `localhost:8000` parses as a URL of the scheme "localhost:"; a scheme needs its `//` here.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidServerUrlError(`“${text}” is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidServerUrlError(`“${text}” is not an http:// or https:// URL.`);
  }
  if (!url.hostname) throw new InvalidServerUrlError(`“${text}” names no host.`);

  let path = url.pathname.replace(/\/+$/, '');
  for (let stripped = true; stripped; ) {
    stripped = false;
    for (const suffix of ENDPOINT_SUFFIXES) {
      if (path.endsWith(suffix)) {
        path = path.slice(0, -suffix.length).replace(/\/+$/, '');
        stripped = true;
      }
    }
  }
  const base = `${url.protocol}//${url.host}${path}`;
  return /\/v1$/.test(path) ? [base] : [`${base}/v1`, base];
}
