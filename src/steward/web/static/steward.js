// Loaded as a module, so it only runs where GOV.UK Frontend's JavaScript is supported.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import { watchJobs } from "/static/jobs.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
watchJobs();
