"""The record of processing activities (UK GDPR Art 30), the information asset register, and
the mapping of the retention file plan's record classes to the activities they serve."""
