/**
 * The status line under a pair's grids (`.cell-status`, rendered by pairView.ts): the hovered cell's row, column and
 * colours, at once (its title says the same, after the browser's tooltip delay). Browser only; one listener for the
 * page, so it survives re-renders.
 */
export function followCellHover(doc: Document): void {
  doc.addEventListener('mouseover', (ev) => {
    const cell = ev.target instanceof Element ? ev.target.closest('.cell[title]') : null;
    const line = cell?.closest('.pair')?.querySelector('.cell-status');
    if (cell && line) line.textContent = cell.getAttribute('title');
  });
}
