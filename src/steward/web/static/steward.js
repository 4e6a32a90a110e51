// Loaded as a module, so it only runs where GOV.UK Frontend's JavaScript is supported.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
// MOJ Frontend's components (sortable table, button menu, filter toggle...) start the same way;
// it checks the same `govuk-frontend-supported` class on <body>.
import { initAll as initMojAll } from "/static/moj/moj-frontend.min.js";
import { watchJobs } from "/static/jobs.js";
import { watchSelections } from "/static/redaction.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
initMojAll();
watchJobs();
watchSelections();
