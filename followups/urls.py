"""The follow-ups' pages and API routes; aiom/urls.py mounts them (the pages under /dashboard/)."""

dashboard_urls: list = []
api_urls: list = []
