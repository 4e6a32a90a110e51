"""The breach register (UK GDPR Arts 33-34, DOMAIN.md §5): any member of staff reports a
suspected breach; the IG team triages it, runs the 72-hour clock from the moment the
organisation became aware, records the decision to notify the ICO (or why not) and, where
the risk to people is high, the decision to tell them (or why not). Every breach is kept,
notified or not (Art 33(5))."""
