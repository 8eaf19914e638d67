// Progressive enhancement only: every page works without this script.
// It keeps countdowns and the fleet dashboard's figures current; the server
// rendered their first value.
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

// The fleet dashboard: its figures are fetched again every few seconds
// and written into the cells that carry the same names. Without the
// script the page shows the figures of its rendering.
function refresh(root, status) {
  fetch(root.dataset.liveUrl, { credentials: "same-origin", headers: { accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
    .then((fleet) => {
      for (const [key, value] of Object.entries(fleet.totals)) {
        const el = root.querySelector(`[data-total="${key}"]`);
        if (el) el.textContent = String(value);
      }
      for (const server of fleet.servers) {
        const row = root.querySelector(`tr[data-server="${server.id}"]`);
        if (!row) continue;
        for (const el of row.querySelectorAll("[data-field]")) {
          const value = String(server[el.dataset.field]);
          el.textContent = value;
          if (el.dataset.tag) el.className = `tag ${el.dataset.tag}-${value}`;
        }
      }
      if (status) {
        status.textContent = `Live: figures of ${fleet.updated}`;
        status.classList.add("is-live");
      }
    })
    .catch(() => {
      if (status) {
        status.textContent = "Live figures paused: the portal did not answer. Reload the page.";
        status.classList.remove("is-live");
      }
    });
}

document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector("[data-live-url]");
  if (!root) return;
  const status = document.querySelector("[data-live-status]");
  const every = Number(root.dataset.liveEveryMs) || 5000;
  setInterval(() => refresh(root, status), every);
});
