"""Staff training: who must complete what, what they have completed, and whether they are
compliant as of any date; and the induction gate that records' need-to-know check asks.

Steward does not replace the learning management system: it is where the compliance picture
comes together, from HR's staff list, LMS records (Moodle, xAPI), its own short assessed
modules and a manager's record of a classroom session. This package uses nothing above core;
records asks it one question (``service.gate.state``)."""
