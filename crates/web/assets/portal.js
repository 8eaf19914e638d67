// Progressive enhancement only: every page works without this script.
// It keeps countdowns current; the server rendered their first value.
"use strict";

function remaining(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  const d = Math.floor(minutes / 1440), h = Math.floor(minutes / 60) % 24, m = minutes % 60;
  const s = Math.max(0, Math.floor(ms / 1000)) % 60;
  const unit = (n, one) => n === 1 ? `1 ${one}` : `${n} ${one}s`;
  if (d > 0) return `${unit(d, "day")}, ${unit(h, "hour")}`;
  if (h > 0) return `${unit(h, "hour")}, ${unit(m, "minute")}`;
  if (m > 0) return `${unit(m, "minute")}, ${unit(s, "second")}`;
  return ms > 0 ? unit(s, "second") : "closing now";
}

function tick(clocks, skew) {
  const now = Date.now() + skew;
  for (const el of clocks) {
    el.textContent = remaining(Number(el.dataset.closesMs) - now);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const clocks = document.querySelectorAll("time[data-closes-ms]");
  if (clocks.length === 0) return;
  // The countdown runs from the server's idea of now when it rendered the
  // page (its clock may be a simulation's), not from the browser's.
  const rendered = Number(clocks[0].dataset.nowMs);
  const skew = Number.isNaN(rendered) ? 0 : rendered - Date.now();
  tick(clocks, skew);
  setInterval(() => tick(clocks, skew), 1000);
});
