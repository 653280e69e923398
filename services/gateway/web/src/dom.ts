// A small element builder, so views never assemble HTML strings (no
// innerHTML: nothing the server or user sends can become markup) and never
// use style attributes (the gateway's Content-Security-Policy forbids inline
// styles; sizes are set through the CSSOM, which it allows).
//
//   h('button', { class: 'primary', onclick: () => save() }, t('capture.analyse'))

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, unknown>;

/** Creates an element; `props` are attributes, except on* (listeners) and `dataset`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value as EventListener);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'style') {
      throw new Error('style attributes are blocked by the CSP; use classes');
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(parent: Node, children: Array<Child | Child[]>): void {
  for (const child of children) {
    if (Array.isArray(child)) {
      append(parent, child);
    } else if (child !== null && child !== undefined && child !== false) {
      parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
    }
  }
}

/** Replaces the children of `parent`. */
export function replaceChildren(parent: Element, ...children: Array<Child | Child[]>): void {
  parent.replaceChildren();
  append(parent, children);
}
