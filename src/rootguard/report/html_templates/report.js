"use strict";
// rootguard HTML report: filter the findings by status, sort them by a column, open every
// <details> for printing. The page reads fine without this script; it only adds the controls.
(function () {
  const table = document.getElementById("findings");
  if (table) {
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const boxes = Array.from(document.querySelectorAll("input[data-status-filter]"));
    const shown = document.getElementById("shown-count");
    const applyFilter = function () {
      const wanted = new Set(boxes.filter((box) => box.checked).map((box) => box.dataset.statusFilter));
      let visible = 0;
      for (const row of rows) {
        row.hidden = !wanted.has(row.dataset.status);
        visible += row.hidden ? 0 : 1;
      }
      shown.textContent = "Showing " + visible + " of " + rows.length + " findings";
    };
    boxes.forEach((box) => box.addEventListener("change", applyFilter));
    document.getElementById("filter-controls").hidden = false;
    applyFilter();

    const headers = Array.from(table.tHead.rows[0].cells);
    const compare = function (key, a, b) {
      const x = a.getAttribute("data-sort-" + key);
      const y = b.getAttribute("data-sort-" + key);
      const numeric = /^-?[0-9]+$/.test(x) && /^-?[0-9]+$/.test(y);
      return numeric ? Number(x) - Number(y) : x.localeCompare(y);
    };
    for (const button of table.querySelectorAll("th button[data-sort]")) {
      button.addEventListener("click", function () {
        const header = button.closest("th");
        const ascending = header.getAttribute("aria-sort") !== "ascending";
        headers.forEach((cell) => cell.removeAttribute("aria-sort"));
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const key = button.dataset.sort;
        const order = (row) => Number(row.dataset.order);
        rows.sort((a, b) => (ascending ? 1 : -1) * compare(key, a, b) || order(a) - order(b));
        // Empty the body, then append: moving rows within it (append, replaceChildren) takes
        // Chromium minutes for an organization's thousands of rows; this takes well under a second.
        body.textContent = "";
        body.append(...rows);
      });
    }
  }

  const opened = [];
  window.addEventListener("beforeprint", function () {
    for (const details of document.querySelectorAll("details:not([open])")) {
      details.open = true;
      opened.push(details);
    }
  });
  window.addEventListener("afterprint", function () {
    opened.splice(0).forEach((details) => (details.open = false));
  });
})();
