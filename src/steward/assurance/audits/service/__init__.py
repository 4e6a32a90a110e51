"""Use-cases of audits and the action plan, attestations and self-assessment, one module each."""
