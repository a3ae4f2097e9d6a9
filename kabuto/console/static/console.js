// Kabuto console: the one script. A job page polls its job's status (kept by the service,
// so a reload shows the same progress) until the job ends. Nothing else needs script.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var ended = { succeeded: true, failed: true };
  function show(job) {
    var bar = document.getElementById("job-progress");
    bar.max = job.total || 1;
    bar.value = job.done;
    bar.textContent = job.done + " / " + job.total;
    document.getElementById("job-count").textContent =
      job.done.toLocaleString("ja-JP") + " / " + job.total.toLocaleString("ja-JP");
    document.getElementById("job-status").textContent = job.status;
    document.getElementById("job-message").textContent = job.message || "";
    box.dataset.status = job.status;
  }
  function poll() {
    if (ended[box.dataset.status]) { return; }
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) { if (job) { show(job); } })
      .finally(function () { setTimeout(poll, 500); });
  }
  poll();
})();
