/** A block's height before it is rendered, for its placeholder (see lazyBlocks.ts). Pure, for Node tests. */

/**
 * About how many lines of text a block renders to, `charsPerLine` being the width. Display
 * math lines are taller than text and delimiter lines take little room; math source is wider
 * than what it renders to. Rough on purpose: the estimates get scaled by how the blocks in view
 * actually rendered.
 */
export function estimateLines(source: string, charsPerLine: number): number {
  let lines = 1; // the block's margins
  for (const line of source.split('\n')) {
    const text = line.trim();
    if (/^(\$\$|\\\[|\\\]|\\(begin|end)\{[^}]*\})$/.test(text)) lines += 0.5;
    else if (/^(\$\$|\\\[|\\begin\{)|(\\\\|\$\$|\\\])$|&/.test(text)) lines += 1.6;
    else lines += Math.max(1, Math.ceil((text.length * 0.8) / charsPerLine));
  }
  return lines;
}
