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

export function applyDeferredStyles(root: ParentNode): void {
  for (const element of root.querySelectorAll<HTMLElement | SVGElement>(`[${DEFERRED_STYLE_ATTRIBUTE}]`)) {
    element.style.cssText = element.getAttribute(DEFERRED_STYLE_ATTRIBUTE) ?? '';
    element.removeAttribute(DEFERRED_STYLE_ATTRIBUTE);
  }
}
