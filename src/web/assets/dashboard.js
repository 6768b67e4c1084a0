// Progressive enhancement only: every page works without this file.

// The heatmap: Tab stops once per student (the row's name); the arrow keys move between
// its cells, whose links leave the Tab order so 300 × 16 cells are not 4,800 stops
// (without this script every cell link stays in the Tab order).
for (const link of document.querySelectorAll('#heatmap tbody td a')) link.tabIndex = -1;
document.addEventListener('keydown', (event) => {
  const here = event.target;
  if (!(here instanceof HTMLElement) || !here.closest('#heatmap tbody')) return;
  const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  const move = moves[event.key];
  if (!move) return;
  const cell = here.closest('th, td');
  const row = cell.parentElement;
  const rows = [...row.parentElement.children];
  const target = rows[rows.indexOf(row) + move[0]]?.children[[...row.children].indexOf(cell) + move[1]];
  if (!target) return;
  const focusable = target.querySelector('a') ?? target;
  if (focusable === target) target.tabIndex = -1;
  event.preventDefault();
  focusable.focus();
});
