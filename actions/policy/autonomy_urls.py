"""Dashboard URLs of this part of the policy (included under /dashboard/, namespace "dashboard")."""

dashboard_urls = []
