// Layout problems a resident would see, found by script (the screenshot sweep, #11):
// text that overlaps other text, text cut off by its box, the page heading below the first
// screen, and horizontal scrolling. Returns a list of short descriptions.
() => {
  const problems = [];
  const vw = document.documentElement.clientWidth;
  const vh = window.innerHeight;
  const main = document.querySelector("[data-testid='stMain']") || document.body;
  const scroller = document.querySelector("[data-testid='stMain']");
  const top = scroller ? scroller.scrollTop : window.scrollY;

  // 1. The page heading shows on the first screen.
  const h1 = main.querySelector("h1");
  if (!h1) problems.push("no page heading (h1)");
  else {
    const r = h1.getBoundingClientRect();
    if (r.top + top < 0 || r.bottom + top > vh) problems.push(`heading ends at y=${Math.round(r.bottom + top)} of ${vh}`);
  }

  // 2. No horizontal scrolling.
  const over = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - vw;
  if (over > 1) problems.push(`page is ${over}px wider than the screen`);

  // Text runs: one rectangle per line of each visible text node.
  const runs = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      if (!node.textContent.trim()) return NodeFilter.FILTER_REJECT;
      const el = node.parentElement;
      if (!el || el.closest("iframe, svg, canvas, [aria-hidden='true'], .sr-only, [data-testid='stTooltipIcon']")) return NodeFilter.FILTER_REJECT;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.display === "none" || parseFloat(style.opacity) === 0) return NodeFilter.FILTER_REJECT;
      return NodeFilter.FILTER_ACCEPT;
    },
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) {
      if (rect.width < 2 || rect.height < 2) continue;
      runs.push({ rect, node, text: node.textContent.trim().slice(0, 40) });
    }
  }

  // 3. Text cut off: a text line that reaches outside the nearest box that clips it.
  for (const run of runs) {
    let el = run.node.parentElement;
    while (el && el !== main) {
      const style = getComputedStyle(el);
      if (/(hidden|clip)/.test(style.overflowX) || /(hidden|clip)/.test(style.overflow)) {
        const box = el.getBoundingClientRect();
        if (run.rect.right > box.right + 2 || run.rect.left < box.left - 2) {
          problems.push(`text cut off: "${run.text}"`);
        }
        break;
      }
      el = el.parentElement;
    }
    if (run.rect.right > vw + 1) problems.push(`text past the screen's edge: "${run.text}"`);
  }

  // 4. Text over other text (different text nodes whose line boxes intersect).
  const sorted = runs.slice().sort((a, b) => a.rect.top - b.rect.top);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j].rect.top < sorted[i].rect.bottom; j++) {
      const a = sorted[i], b = sorted[j];
      if (a.node === b.node) continue;
      const w = Math.min(a.rect.right, b.rect.right) - Math.max(a.rect.left, b.rect.left);
      const h = Math.min(a.rect.bottom, b.rect.bottom) - Math.max(a.rect.top, b.rect.top);
      if (w > 3 && h > 3) problems.push(`text over text: "${a.text}" / "${b.text}"`);
    }
  }
  return [...new Set(problems)].slice(0, 20);
}
