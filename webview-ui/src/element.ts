/** A tiny DOM builder for the webviews' own chrome (never for model text: that goes through the renderer). */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export function button(label: string, ariaLabel: string, className = 'button secondary'): HTMLButtonElement {
  return element('button', { type: 'button', class: className, 'aria-label': ariaLabel, title: ariaLabel }, label);
}

/** Writes text only when it changed, so a 1 s tick does not disturb selection or screen readers. */
export function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
