"""Odoo integration: the client AIOM uses and a sandbox server that imitates Odoo."""
