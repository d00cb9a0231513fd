/** A tiny DOM builder for the webviews' own chrome (never for model text: that goes through the renderer). */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

/**
 * `node.replaceChildren(...list)` with the list appended one by one: spread into a call, each item
 * goes on the stack, and lists whose length a document or a model decides can overflow it.
 */
export function replaceChildrenWith(node: Element, children: Iterable<Node | string>): void {
  const fragment = document.createDocumentFragment();
  for (const child of children) fragment.append(child);
  node.replaceChildren(fragment);
}

/** A button whose tooltip is its accessible name, unless `title` says more. */
export function button(label: string, ariaLabel: string, className = 'button secondary', title = ariaLabel): HTMLButtonElement {
  return element('button', { type: 'button', class: className, 'aria-label': ariaLabel, title }, label);
}

/** Writes text only when it changed, so a 1 s tick does not disturb selection or screen readers. */
export function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
