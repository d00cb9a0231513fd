/**
 * The warnings the chat shows above the conversation, each once. The history store reports a
 * file it leaves out at every listing, for as long as the file is there (a directory, a file from
 * a newer QED, one it may not read or move aside), and the chat lists the history at the start
 * and end of every answer: a warning the user dismissed stays hidden while listings keep
 * reporting it, and shows again only if it goes away and comes back.
 */
export class ChatWarnings {
  private shown: string[] = [];
  /** Dismissed warnings that the last listing still reported. */
  private dismissedListed = new Set<string>();

  get current(): readonly string[] {
    return this.shown;
  }

  /** Warnings of a load or a save. True when one of them was not shown yet. */
  add(warnings: readonly string[]): boolean {
    const fresh = [...new Set(warnings)].filter((warning) => !this.shown.includes(warning));
    this.shown = [...this.shown, ...fresh];
    return fresh.length > 0;
  }

  /** The warnings of one listing of the history. True when one of them was not shown yet. */
  addListed(warnings: readonly string[]): boolean {
    this.dismissedListed = new Set(warnings.filter((warning) => this.dismissedListed.has(warning)));
    return this.add(warnings.filter((warning) => !this.dismissedListed.has(warning)));
  }

  dismiss(): void {
    for (const warning of this.shown) this.dismissedListed.add(warning);
    this.shown = [];
  }
}
