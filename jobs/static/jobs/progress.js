// Live progress for the ProcessingJob admin: polls the JSON endpoint for the jobs on the page that
// are still PENDING or PROCESSING and updates their bars, badges and counts in place (the badge and
// bar follow the job's outcome: a COMPLETED job with failed invoices is "completed with errors").
// Stops when every job on the page has reached a final status.
(function () {
  "use strict";
  var config = document.getElementById("job-progress-config");
  if (!config) return;
  var url = config.dataset.url;
  var interval = parseInt(config.dataset.interval || "1000", 10);
  var ACTIVE = ["PENDING", "PROCESSING"];

  function activeIds() {
    var ids = [];
    document.querySelectorAll(".job-progress[data-job-id]").forEach(function (el) {
      if (ACTIVE.indexOf(el.dataset.status) !== -1 && ids.indexOf(el.dataset.jobId) === -1) ids.push(el.dataset.jobId);
    });
    return ids;
  }

  function render(job) {
    document.querySelectorAll('[data-job-id="' + job.id + '"]').forEach(function (el) {
      if (el.classList.contains("job-progress")) {
        el.dataset.status = job.status;
        el.dataset.outcome = job.outcome;
        el.setAttribute("aria-valuenow", String(job.percent));
        el.querySelector(".job-progress-fill").style.width = job.percent + "%";
        el.querySelector(".job-progress-text").textContent = job.progress_text;
      } else if (el.dataset.field) {
        var value = job[el.dataset.field];
        el.textContent = value === null || value === undefined ? "—" : String(value);
        if (el.dataset.field === "outcome_label") el.className = "job-status job-status-" + job.outcome;
      }
    });
  }

  function poll() {
    var ids = activeIds();
    if (!ids.length) return;
    fetch(url + "?ids=" + encodeURIComponent(ids.join(",")), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : { jobs: [] }; })
      .then(function (data) { data.jobs.forEach(render); })
      .catch(function () { /* a missed poll is retried on the next tick */ })
      .then(function () { window.setTimeout(poll, interval); });
  }

  window.setTimeout(poll, interval);
})();
