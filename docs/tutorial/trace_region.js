// trace_region.js: the part of a `checker --trace` page that a tutorial picture keeps.
//
// One function expression, evaluated by DevTools in the loaded page (the
// page runs no script of its own) by trace_pictures.py, which passes:
//   all       true: the whole picture, as it is
//   moments   lists of marker indices (data-ev), one list per moment to
//             show: the first start's opening, the hang-up, the stop...
//   lanes     the pids whose lanes are shown
//   visible   the markers on those lanes and on the checker's (a marker on
//             a lane left out does not stop a band short)
//   launches  [[index, name], ...]: the launch headings shown (data-launch),
//             with the name each must have (else the page is not the run's)
//   openings  the launches whose opening is a moment: their heading's
//             "began ... into the run" is shown whole
//   pad, after, seam, gap   margins in CSS px
// and gets back the rectangle to capture, {x, y, width, height} in page
// coordinates, or a sentence saying why there is none.
//
// The picture is cut into bands: across, the lane names and each moment;
// down, the time axis and the checker's lane, then the rows of the shown
// launches. Bands that touch are merged; between the others, the part of
// the picture left out is replaced by a hatched seam. The bands are laid
// out as a grid of copies of the picture, each showing its cell.
((o) => {
  const svg = document.querySelector("svg.trace");
  if (!svg) return "the page has no svg.trace";
  const box = svg.getBoundingClientRect();
  const page = (r) => ({x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height});
  if (o.all) return page(box);
  const rectOf = (el) => el.getBoundingClientRect();

  const markers = [...svg.querySelectorAll(".ev")].map((g) => ({
    idx: (g.dataset.ev !== undefined ? g.dataset.ev : g.dataset.evs || "").split(" ").map(Number),
    rect: rectOf(g),
  }));

  // A moment, across: from its first marker to its last, plus a little on
  // either side (a lane's new colour, a cut in the time axis) where no
  // other marker begins.
  const inMoments = new Set(o.moments.flat()), visible = new Set(o.visible);
  const across = (moment) => {
    const set = new Set(moment);
    const mine = markers.filter((m) => m.idx.some((i) => set.has(i))).map((m) => m.rect);
    const rest = markers.filter((m) => !m.idx.some((i) => set.has(i)) &&
                                m.idx.some((i) => visible.has(i))).map((m) => m.rect);
    if (!mine.length) return null;
    const left = Math.min(...mine.map((r) => r.left)), right = Math.max(...mine.map((r) => r.right));
    const next = Math.min(box.right, ...rest.filter((r) => r.left >= right).map((r) => r.left));
    const prev = Math.max(box.left, ...rest.filter((r) => r.right <= left).map((r) => r.right));
    return [Math.min(left - 1, Math.max(left - o.pad, prev + 2)),
            Math.max(right + 3, Math.min(right + o.after, next - 2))];
  };

  const headings = new Map([...svg.querySelectorAll("g.launch")].map((g) => [Number(g.dataset.launch), g]));
  for (const [k, name] of o.launches) {
    const g = headings.get(k);
    const shown = g && g.querySelector(".lname");
    if (!shown || shown.textContent !== name)
      return `launch ${k} of the page is not the run's ${name}`;
  }

  // Across: the lane names, then the moments.
  const names = [...svg.querySelectorAll(".pname, .psub, .lname, .axisname")].map(rectOf);
  const xs = [[box.left, Math.max(...names.map((r) => r.right)) + 12]];
  for (const moment of o.moments) {
    const span = across(moment);
    if (!span) return "a moment has no marker in the picture";
    xs.push(span);
  }
  // A launch's heading ("began ... into the run", after a triangle at its
  // start) whole, in the band of its start.
  const heads = o.launches.map(([k]) => rectOf(headings.get(k)));
  for (const k of o.openings) {
    const r = rectOf(headings.get(k).querySelector(".lsub"));
    xs.push([r.left - 16, r.right + o.pad]);
  }

  // Down: the axis and the checker's lane, each shown launch's heading,
  // each shown lane.
  const firstHead = Math.min(...[...headings.values()].map((g) => rectOf(g).top - 6));
  const ys = [[box.top, firstHead]];
  for (const r of heads) ys.push([r.top - 6, r.bottom + 2]);
  for (const g of svg.querySelectorAll(".lane[data-pid], .lane[data-pids]"))
    if ((g.dataset.pid || g.dataset.pids).split(" ").some((p) => o.lanes.includes(Number(p)))) {
      const r = rectOf(g);
      ys.push([r.top - 8, r.bottom + 6]);
    }

  const merged = (bands, lo, hi) => {
    const out = [];
    for (const [a, b] of bands.map(([a, b]) => [Math.max(lo, a), Math.min(hi, b)])
      .sort((p, q) => p[0] - q[0])) {
      if (out.length && a - out[out.length - 1][1] < o.gap) out[out.length - 1][1] = Math.max(out[out.length - 1][1], b);
      else out.push([a, b]);
    }
    return out.map(([a, b]) => [Math.round(a), Math.round(b)]);
  };
  const cols = merged(xs, box.left, box.right), rows = merged(ys, box.top, box.bottom);

  // A marker of no moment that a band's edge cuts through is hidden, with
  // the dashed line of a checker's action: half a diamond, or a label cut
  // in two, only puzzles.
  const cut = (r, [a, b]) => (r.left < a && r.right > a) || (r.left < b && r.right > b);
  const hidden = (band) => markers.map((m, n) => !m.idx.some((i) => inMoments.has(i)) && cut(m.rect, band));
  const guides = [...svg.querySelectorAll("line.guide")].map((l) => Number(l.getAttribute("x1")));
  const svgX = (x) => (x - box.left) * svg.viewBox.baseVal.width / box.width;

  // The grid: a copy of the picture per cell, a hatched seam between bands.
  const sizes = (bands) => bands.map(([a, b]) => `${b - a}px`).join(` ${o.seam}px `);
  const grid = document.createElement("div");
  grid.style.cssText = "position:absolute;left:0;top:0;z-index:9;display:grid;background:" +
    "repeating-linear-gradient(45deg,#fff 0 3px,#c9cfd6 3px 5px);" +
    `grid-template-columns:${sizes(cols)};grid-template-rows:${sizes(rows)}`;
  cols.forEach((band, c) => {
    const hide = hidden(band);
    rows.forEach(([top], r) => {
      const cell = document.createElement("div");
      cell.style.cssText = `position:relative;overflow:hidden;background:#fff;grid-row:${2 * r + 1};grid-column:${2 * c + 1}`;
      const copy = svg.cloneNode(true);
      copy.style.cssText = `position:absolute;left:${box.left - band[0]}px;top:${box.top - top}px`;
      const evs = copy.querySelectorAll(".ev"), lines = copy.querySelectorAll("line.guide");
      hide.forEach((h, n) => {
        if (!h) return;
        evs[n].style.visibility = "hidden";
        const [a, b] = [svgX(markers[n].rect.left), svgX(markers[n].rect.right)];
        guides.forEach((x, g) => { if (evs[n].classList.contains("checker") && x > a && x < b) lines[g].style.visibility = "hidden"; });
      });
      cell.append(copy);
      grid.append(cell);
    });
  });
  document.body.append(grid);
  return page(rectOf(grid));
})
