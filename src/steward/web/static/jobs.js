// A background job's page: poll its progress and update the bar; reload once it has
// finished so the page shows the result. Without JavaScript the Refresh link does this.
const POLL_MS = 1500;

function show(box, body) {
  const bar = box.querySelector("progress");
  const count = box.querySelector("[data-job-count]");
  const status = box.querySelector("[data-job-status]");
  if (status) status.textContent = body.status === "running" ? "Running" : "Queued";
  if (body.total) {
    bar.max = body.total;
    bar.value = body.done;
    bar.textContent = `${body.percent}%`;
    if (count) count.textContent = `${body.done.toLocaleString("en-GB")} of ${body.total.toLocaleString("en-GB")} done`;
  }
}

export function watchJobs() {
  for (const box of document.querySelectorAll("[data-job-progress]")) {
    const url = box.getAttribute("data-job-progress");
    const tick = async () => {
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok) return; // the Refresh link still works
        const body = await response.json();
        if (body.finished) {
          window.location.reload();
          return;
        }
        show(box, body);
      } catch {
        // A dropped connection: try again on the next tick.
      }
      window.setTimeout(tick, POLL_MS);
    };
    window.setTimeout(tick, POLL_MS);
  }
}
