"""A minimal third-party kiosk plugin: a "visitor pass" that issues a receipt with a tracking page."""
