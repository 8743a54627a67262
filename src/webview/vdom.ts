/**
 * A tiny virtual node tree: render functions build these as plain data so they can be tested in Node without a DOM,
 * and `mount` (dom.ts) turns them into real nodes. Data from user code only ever lands in `text` (a text node) or in
 * attribute values, never in markup, so names and messages cannot inject HTML.
 */
import type { FromWebview } from '../protocol/webview';

/**
 * What activating an element (click, or Enter/Space on a focusable non-button) does. 'ui' changes the panel's own
 * view state (a tab, a sort, a filter, a page: view.ts applyUi); on an `<input>` or `<select>` it fires on every
 * change, with the control's value as `value`.
 */
export type Action = { kind: 'post'; msg: FromWebview } | { kind: 'select'; candidate: string } | { kind: 'ui'; key: string; value: string };

export interface VNode {
  tag: string;
  /** SVG elements are created in the SVG namespace */
  svg?: boolean;
  attrs: Record<string, string>;
  /** set through the CSSOM (inline style attributes are blocked by the panel's CSP) */
  style?: Record<string, string>;
  /** text content, created as a text node before the children */
  text?: string;
  children: VNode[];
  on?: Action;
}

type Child = VNode | string | number | null | undefined | false;

/** Builds an element; string children become text spans' text (a lone string child becomes `text`). */
export function h(tag: string, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]): VNode {
  const a: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    a[k] = v === true ? '' : String(v);
  }
  const node: VNode = { tag, attrs: a, children: [] };
  const kids = children.filter((c): c is VNode | string | number => c !== null && c !== undefined && c !== false);
  if (kids.length === 1 && typeof kids[0] !== 'object') {
    node.text = String(kids[0]);
    return node;
  }
  for (const c of kids) node.children.push(typeof c === 'object' ? c : { tag: '#text', attrs: {}, text: String(c), children: [] });
  return node;
}

/** An SVG element (namespace-aware mount). */
export function s(tag: string, attrs: Record<string, string | number | undefined> = {}, ...children: Child[]): VNode {
  const node = h(tag, attrs, ...children);
  node.svg = true;
  for (const c of node.children) if (c.tag !== '#text') c.svg = true;
  return node;
}

/** A real `<button>` that performs `action`; Enter/Space come for free. */
export function button(label: string, action: Action, attrs: Record<string, string | number | undefined> = {}): VNode {
  return { ...h('button', { type: 'button', ...attrs }, label), on: action };
}

export function withStyle(node: VNode, style: Record<string, string>): VNode {
  node.style = { ...(node.style ?? {}), ...style };
  return node;
}

export function withAction(node: VNode, action: Action): VNode {
  node.on = action;
  return node;
}

//#region queries (used by tests and by main.ts for focus restoration)

/** Depth-first list of every node for which `pred` holds. */
export function findAll(root: VNode, pred: (n: VNode) => boolean): VNode[] {
  const out: VNode[] = [];
  const walk = (n: VNode): void => {
    if (pred(n)) out.push(n);
    n.children.forEach(walk);
  };
  walk(root);
  return out;
}

export function byId(root: VNode, id: string): VNode | undefined {
  return findAll(root, (n) => n.attrs.id === id)[0];
}

export function hasClass(n: VNode, cls: string): boolean {
  return (n.attrs.class ?? '').split(/\s+/).includes(cls);
}

/** All text below `n`, concatenated in document order. */
export function textOf(n: VNode): string {
  return (n.text ?? '') + n.children.map(textOf).join('');
}

//#endregion

/**
 * An identifier as text with line-break opportunities after each "_" and ":" (`<wbr>`), so a narrow table wraps
 * `solve_0d9e3b72_triple` between its words, never inside one.
 */
export function breakable(name: string): VNode {
  const parts = name.split(/(?<=[_:])/);
  if (parts.length < 2) return h('span', {}, name);
  return h('span', {}, ...parts.flatMap((p, i) => (i < parts.length - 1 ? [p, h('wbr')] : [p])));
}
