// Draws each chart from its inlined Vega-Lite spec and makes every table sortable by a click on its header.
(function () {
  "use strict";
  document.querySelectorAll("[data-spec]").forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
    vegaEmbed(el, spec, {renderer: "svg", actions: {export: true, source: false, compiled: false, editor: false}})
      .then(function () { el.dataset.drawn = "1"; })
      .catch(function (err) { el.textContent = "chart not drawn: " + err; console.error(err); });
  });
  function value(cell) { return cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent; }
  function sortBy(th) {
    var table = th.closest("table"), body = table.tBodies[0], i = th.cellIndex;
    var asc = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = rows.every(function (r) { var v = value(r.cells[i]); return v === "" || !isNaN(Number(v)); });
    rows.sort(function (a, b) {
      var x = value(a.cells[i]), y = value(b.cells[i]), c;
      if (numeric) { c = (x === "" ? -Infinity : Number(x)) - (y === "" ? -Infinity : Number(y)); }
      else { c = x.localeCompare(y); }
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable thead th").forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); } });
  });
})();
