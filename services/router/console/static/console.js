// Console enhancements: keep the queue table fresh without a reload; focus error summaries.
(function () {
  "use strict";
  var POLL_MS = 10000;

  function startQueuePoller(table) {
    var url = table.getAttribute("data-live-url");
    var body = table.querySelector("[data-live-rows]");
    var status = document.getElementById("queue-status");
    var count = status && status.querySelector("[data-count]");
    var updated = status && status.querySelector("[data-updated]");
    var busy = false;

    function refresh() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 401 || response.redirected) { window.location.reload(); return null; }
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          if (!data) { return; }
          // rows_html is rendered and escaped by the server's templates.
          body.innerHTML = data.rows_html;
          if (count && count.textContent !== String(data.count)) { count.textContent = String(data.count); }
          if (updated) { updated.textContent = "Updated " + new Date(data.updated_at).toLocaleTimeString("en-GB") + "."; }
        })
        .catch(function () {
          if (updated) { updated.textContent = "Could not refresh; showing the last list."; }
        })
        .then(function () { busy = false; });
    }

    window.setInterval(refresh, POLL_MS);
    document.addEventListener("visibilitychange", refresh);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("queue-table");
    if (table && window.fetch) { startQueuePoller(table); }
    var summary = document.querySelector("[data-module='error-summary']");
    if (summary) { summary.focus(); }
  });
})();
