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

/**
 * Shows or hides a node only when that changes. Writing a reflected attribute, even its current
 * value, is a DOM mutation the browser restyles for: pages redrawn on every message guard them.
 */
export function setHidden(node: HTMLElement, hidden: boolean): void {
  if (node.hidden !== hidden) node.hidden = hidden;
}

/** Sets an attribute only when its value changes (see setHidden). */
export function setAttribute(node: Element, name: string, value: string): void {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}
