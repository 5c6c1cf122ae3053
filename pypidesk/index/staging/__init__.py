"""PEP 694 (Upload 2.0, draft) publishing sessions: stage a release, preview it, publish it whole.

``routes`` speaks the protocol (JSON in, JSON and RFC 9457 problems out),
``service`` holds the state machine, ``publish`` the atomic publish,
``preview`` the stage's Simple API, ``sweeper`` expiry and clean-up. Every
file goes through the legacy upload's checks (:mod:`pypidesk.index.upload.service`).
"""
