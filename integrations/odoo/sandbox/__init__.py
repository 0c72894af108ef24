"""A fake Odoo 17 server speaking Odoo's external API (XML-RPC, JSON-RPC, JSON-2) over HTTP.

Plain Python (no Django) so tests and benchmarks can start it in-process with
``server.start_in_thread``; ``manage.py odoo_sandbox`` serves it from the command line.
"""
