/**
 * Putting renderer output into the page under the panel's CSP.
 *
 * KaTeX positions glyphs with inline `style` attributes. The panel's CSP (`style-src` without
 * 'unsafe-inline') blocks style attributes in parsed HTML but not CSSOM writes, so markdown.ts
 * emits them as `data-katex-style` and they are applied here through `element.style`.
 * That keeps KaTeX's layout exact without allowing inline styles for the whole webview.
 */
import { DEFERRED_STYLE_ATTRIBUTE } from './mathRenderer';

export function setRenderedHtml(element: Element, html: string): void {
  element.innerHTML = html;
  applyDeferredStyles(element);
}

/** Containers whose children are compared one by one, so that one grown item does not replace its siblings. */
const MERGED_CONTAINERS = new Set(['OL', 'UL', 'LI', 'BLOCKQUOTE']);

/**
 * Like setRenderedHtml, for HTML that is mostly what the element already shows (the streaming
 * tail, re-rendered whole at every update): children that did not change stay in the page, and
 * lists and quotes are compared item by item. An open list is one Markdown block until it ends,
 * and re-creating all its items at each update cost the browser the style, layout and paint of
 * the whole list: 35–55 ms frames in the render benchmark, where only the last item had grown.
 */
export function updateRenderedHtml(element: Element, html: string): void {
  const template = document.createElement('template');
  template.innerHTML = html;
  applyDeferredStyles(template.content);
  mergeChildren(element, template.content);
}

function mergeChildren(target: Node, source: Node): void {
  let current = target.firstChild;
  for (const node of [...source.childNodes]) {
    if (!current) {
      target.appendChild(node);
      continue;
    }
    const following = current.nextSibling;
    if (current.isEqualNode(node)) {
      // Unchanged: keep the node in the page.
    } else if (sameContainer(current, node)) {
      mergeChildren(current, node);
    } else {
      target.replaceChild(node, current);
    }
    current = following;
  }
  while (current) {
    const following: ChildNode | null = current.nextSibling;
    current.remove();
    current = following;
  }
}

function sameContainer(a: Node, b: Node): boolean {
  if (!(a instanceof Element) || !(b instanceof Element) || a.tagName !== b.tagName || !MERGED_CONTAINERS.has(a.tagName)) return false;
  if (a.attributes.length !== b.attributes.length) return false;
  for (const attribute of a.attributes) if (b.getAttribute(attribute.name) !== attribute.value) return false;
  return true;
}

export function applyDeferredStyles(root: ParentNode): void {
  for (const element of root.querySelectorAll<HTMLElement | SVGElement>(`[${DEFERRED_STYLE_ATTRIBUTE}]`)) {
    element.style.cssText = element.getAttribute(DEFERRED_STYLE_ATTRIBUTE) ?? '';
    element.removeAttribute(DEFERRED_STYLE_ATTRIBUTE);
  }
}
