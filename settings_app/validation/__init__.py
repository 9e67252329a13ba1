"""Validation runs: Palette's Enablement and Validate procedures for Pause Agent Upgrades, run in
headless Chromium against any deployment of the console (`python -m settings_app.validation`).

Playwright is an optional extra of the package (`pip install -e '.[validate]'`): the console
itself never imports this package.
"""
