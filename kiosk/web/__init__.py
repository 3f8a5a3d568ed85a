"""The web host: tracking pages for residents' phones, the JSON API and the staff area.

Built by :func:`kiosk.web.app.create_app` around one :class:`kiosk.context.KioskContext`. Plugins add
their own pages through the ``kiosk_web_routes`` hook and protect them with
:func:`kiosk.web.auth.require_staff` / :func:`kiosk.web.auth.require_admin` and
:func:`kiosk.web.auth.csrf_input`.
"""
