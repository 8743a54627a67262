/** Turns a VNode tree into real DOM nodes (browser only). Text goes in as text nodes; styles through the CSSOM. */
import type { Action, VNode } from './vdom';

const SVG_NS = 'http://www.w3.org/2000/svg';

export type Dispatch = (action: Action) => void;

function create(n: VNode, dispatch: Dispatch): Node {
  if (n.tag === '#text') return document.createTextNode(n.text ?? '');
  const el = n.svg ? document.createElementNS(SVG_NS, n.tag) : document.createElement(n.tag);
  for (const [k, v] of Object.entries(n.attrs)) el.setAttribute(k, v);
  if (n.style && (el instanceof HTMLElement || el instanceof SVGElement)) {
    for (const [k, v] of Object.entries(n.style)) el.style.setProperty(k, v);
  }
  if (n.text !== undefined) el.appendChild(document.createTextNode(n.text));
  for (const c of n.children) el.appendChild(create(c, dispatch));
  const action = n.on;
  if (action && action.kind === 'ui' && (el instanceof HTMLInputElement || el instanceof HTMLSelectElement)) {
    const control = el;
    control.addEventListener(control instanceof HTMLSelectElement ? 'change' : 'input', () => dispatch({ ...action, value: control.value }));
  } else if (action) {
    el.addEventListener('click', (ev) => {
      // a click on a nested control (the location link inside a row) is that control's, not the row's
      if (ev.target instanceof Element && ev.target !== el && ev.target.closest('button') && el.tagName !== 'BUTTON') return;
      dispatch(action);
    });
    if (el.tagName !== 'BUTTON') {
      el.addEventListener('keydown', (ev) => {
        const k = (ev as KeyboardEvent).key;
        if (ev.target === el && (k === 'Enter' || k === ' ')) {
          ev.preventDefault();
          dispatch(action);
        }
      });
    }
  }
  return el;
}

/** Replaces the children of `parent` with the tree. */
export function mount(tree: VNode, parent: Element, dispatch: Dispatch): void {
  parent.replaceChildren(create(tree, dispatch));
}

/** Replaces one rendered element (e.g. a section) with the tree, leaving the rest of the page untouched. */
export function replace(tree: VNode, old: Element, dispatch: Dispatch): void {
  old.replaceWith(create(tree, dispatch));
}
