// tradelex dashboard: code suggestions while typing, and charts drawn from the JSON the server put in the page.
// Everything here is optional: the forms work without it.
"use strict";

function debounce(run, wait) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => run(...args), wait); };
}

function attachCodeSearch(input) {
  const list = document.getElementById(input.getAttribute("list"));
  if (!list) return;
  let asked = "";
  const suggest = debounce(async () => {
    const query = input.value.trim();
    if (query.length < 2 || query === asked) return;
    asked = query;
    try {
      const response = await fetch(`/api/v1/codes?q=${encodeURIComponent(query)}&limit=20`);
      if (!response.ok) return;
      const found = await response.json();
      list.replaceChildren(...found.matches.map((match) => {
        const option = document.createElement("option");
        option.value = match.formatted;
        option.label = `${match.formatted} — ${match.description}`;
        option.textContent = option.label;
        return option;
      }));
    } catch (_) { /* suggestions are a convenience; the form still works */ }
  }, 150);
  input.addEventListener("input", suggest);
}

function drawCharts() {
  if (typeof Plotly === "undefined") return;
  for (const holder of document.querySelectorAll("script[data-figure]")) {
    const target = document.getElementById(holder.dataset.figure);
    if (!target) continue;
    const figure = JSON.parse(holder.textContent);
    // A figure without a height would take the height of its empty container.
    figure.layout = Object.assign({height: 460}, figure.layout || {});
    Plotly.newPlot(target, figure.data, figure.layout, {responsive: true, displaylogo: false}).then(() => {
      target.dataset.drawn = "true";
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-code-search]").forEach(attachCodeSearch);
});
// plotly.js is loaded with defer after this script: draw once everything has loaded.
window.addEventListener("load", drawCharts);
