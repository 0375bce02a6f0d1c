"""The coding workbench: review machine codes in the transcript, in the browser.

``qualcode serve PROJECT`` starts it (:func:`qualcode.web.server.serve`); from Python,
:func:`qualcode.web.app.create_app` gives the ASGI application.  Routes only call library
functions; templates and static files ship in this package (no CDN, works offline).
"""
