"""Audits (internal or ICO) and their action plan, attestations, and the self-assessment per
ICO audit area: what only a person can rate or attest, kept with its evidence and history."""
